import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { runStation, temporaryFolder } from './helpers/station-cli.ts';

describe('configuration', () => {
  let folder: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    folder = await temporaryFolder('config');
  });
  afterAll(() => folder.remove());

  it('loads the defaults with Asia/Shanghai and ./data', () => {
    const config = loadConfig({});
    expect(config.station.timezone).toBe('Asia/Shanghai');
    expect(config.home).toBe(path.resolve('data'));
    expect(config.dock.mountRoots).toEqual(['/media', '/run/media']);
  });

  it('merges an override file named by STATION_CONFIG and keeps the other defaults', () => {
    const file = path.join(folder.path, 'override.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9090 } }));
    const config = loadConfig({ STATION_CONFIG: file, STATION_HOME: folder.path });
    expect(config.http.port).toBe(9090);
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.home).toBe(folder.path);
  });

  it('names the key and what is allowed when a value is bad', () => {
    const file = path.join(folder.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ ingest: { lateAfterHours: 48 } }));
    expect(() => loadConfig({ STATION_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ STATION_CONFIG: file })).toThrow(/ingest\.lateAfterHours/);
  });

  it('refuses an unknown time zone', () => {
    const file = path.join(folder.path, 'zone.json');
    writeFileSync(file, JSON.stringify({ station: { timezone: 'Asia/Peking' } }));
    expect(() => loadConfig({ STATION_CONFIG: file })).toThrow(/station\.timezone/);
  });

  it('refuses unknown keys, which are usually typos', () => {
    const file = path.join(folder.path, 'typo.json');
    writeFileSync(file, JSON.stringify({ http: { prot: 80 } }));
    expect(() => loadConfig({ STATION_CONFIG: file })).toThrow(/http/);
  });

  it('stops the CLI with exit code 2 and the message on a bad configuration', async () => {
    const file = path.join(folder.path, 'cli-bad.json');
    writeFileSync(file, JSON.stringify({ http: { port: 'eighty' } }));
    const result = await runStation(['officers', 'list'], {
      home: folder.path,
      env: { STATION_CONFIG: file },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/http\.port/);
  });
});
