import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { createDashboardService } from '../src/dashboard/service.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation, type Station } from '../src/station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

let folder: { path: string; remove(): Promise<void> };
let station: Station;
let port: number;

/** A port free right now, for a service that takes its port from the config. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  folder = await temporaryFolder('dashboard-service');
  port = await freePort();
  const configFile = path.join(folder.path, 'config.json');
  await writeFile(configFile, JSON.stringify({ http: { host: '127.0.0.1', port } }));
  const config = loadConfig({ STATION_HOME: path.join(folder.path, 'home'), STATION_CONFIG: configFile });
  station = await openStation({ config, logger: silentLogger });
});

afterAll(async () => {
  station?.close();
  await folder?.remove();
});

describe('the dashboard service', () => {
  it('listens on the configured host and port from start() until stop()', async () => {
    const service = createDashboardService(station);
    expect(service.name).toBe('dashboard');
    await service.start();
    const response = await fetch(`http://127.0.0.1:${port}/login`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('登录');
    await service.stop();
    await expect(fetch(`http://127.0.0.1:${port}/login`)).rejects.toThrow();
  });
});
