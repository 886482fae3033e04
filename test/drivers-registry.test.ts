import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import type { RecorderDriver } from '../src/drivers/driver.ts';
import { chooseDriver, DriverError, loadDrivers, prepareDrivers } from '../src/drivers/registry.ts';
import { translator } from '../src/i18n/catalogue.ts';
import { errorText } from '../src/i18n/translated-error.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import { runStation, temporaryFolder } from './helpers/station-cli.ts';

const generic: RecorderDriver = {
  id: 'generic',
  name: 'Generic',
  priority: 0,
  match: { any: true },
  creationTime: 'utc',
};

describe('recorder drivers', () => {
  let folder: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    folder = await temporaryFolder('drivers');
  });
  afterAll(() => folder.remove());

  it('loads the built-in drivers with a generic fallback last', async () => {
    const drivers = await loadDrivers();
    expect(drivers.map((driver) => driver.id)).toContain('generic');
    expect(drivers.at(-1)?.match.any).toBe(true);
  });

  // Its setClock writes to the volume and its identity is whatever a marker file says.
  it('loads the simulated recorder family only where dock.simulatedRecorders turns it on', async () => {
    const config = loadConfig({ STATION_HOME: path.join(folder.path, 'simulated-home') });
    expect(config.dock.simulatedRecorders).toBe(false);
    for (const simulatedRecorders of [false, true]) {
      const station = await openStation({
        config: { ...config, dock: { ...config.dock, simulatedRecorders } },
        logger: silentLogger,
      });
      try {
        expect(station.drivers.some((driver) => driver.id === 'simulated')).toBe(simulatedRecorders);
      } finally {
        station.close();
      }
    }
  });

  it('refuses two drivers that claim the same thing at the same priority', () => {
    const a: RecorderDriver = {
      id: 'a',
      name: 'A',
      priority: 5,
      match: { volumeLabels: ['^DSJ'] },
      creationTime: 'utc',
    };
    const b: RecorderDriver = { ...a, id: 'b', name: 'B' };
    expect(() => prepareDrivers([generic, a, b])).toThrow(DriverError);
    expect(() => prepareDrivers([generic, a, b])).toThrow(/"a" and "b"/);
  });

  it('refuses duplicate ids', () => {
    expect(() => prepareDrivers([generic, generic])).toThrow(/share the id/);
  });

  it('says what is wrong with a driver set in the station language', () => {
    const zh = translator('zh-CN');
    const said = (drivers: RecorderDriver[]) => {
      try {
        prepareDrivers(drivers);
      } catch (error) {
        return errorText(zh, error);
      }
      return '';
    };
    expect(said([generic, generic])).toBe('有两个驱动使用同一个 id“generic”');
    expect(said([{ ...generic, id: 'other' }, generic])).toContain('在同一优先级认领同样的记录仪：所有卷');
    expect(said([generic, { ...generic, id: 'x', match: {}, fileNames: ['{officer}.{ext}'] }])).toBe(
      '驱动“x”的文件名模板：没有文件名字段 {officer}',
    );
    expect(said([{ ...generic, match: {} }])).toBe('没有兜底驱动（match.any）');
  });

  it('picks the highest-priority driver that claims a volume', () => {
    const labelled: RecorderDriver = {
      id: 'acme',
      name: 'ACME',
      priority: 20,
      match: { volumeLabels: ['^acme'] },
      creationTime: 'local',
    };
    const drivers = prepareDrivers([generic, labelled]);
    expect(chooseDriver(drivers, { root: folder.path, label: 'ACME-01', usb: null }, []).id).toBe('acme');
    expect(chooseDriver(drivers, { root: folder.path, label: 'OTHER', usb: null }, []).id).toBe('generic');
  });

  it('recognises a family by a marker path or by its file names', async () => {
    const marked: RecorderDriver = {
      id: 'marked',
      name: 'M',
      priority: 20,
      match: { markerPaths: ['ACME/DEVICE.INI'] },
      creationTime: 'utc',
    };
    const drivers = prepareDrivers([
      generic,
      marked,
      ...(await loadDrivers()).filter((d) => d.id === 'named-recorder'),
    ]);
    mkdirSync(path.join(folder.path, 'ACME'), { recursive: true });
    writeFileSync(path.join(folder.path, 'ACME', 'DEVICE.INI'), '');
    expect(chooseDriver(drivers, { root: folder.path, label: null, usb: null }, []).id).toBe('marked');
    const other = path.join(folder.path, 'other');
    mkdirSync(other);
    expect(
      chooseDriver(drivers, { root: other, label: null, usb: null }, ['DSJ1_100234_20261126183005_0001.MP4'])
        .id,
    ).toBe('named-recorder');
  });

  it('lists the drivers as JSON from the CLI', async () => {
    const result = await runStation(['drivers', '--json'], { home: folder.path });
    expect(result.code).toBe(0);
    const drivers = JSON.parse(result.stdout) as { id: string; fileNames: string[] }[];
    expect(drivers.find((driver) => driver.id === 'named-recorder')?.fileNames[0]).toContain('{badge}');
  });
});
