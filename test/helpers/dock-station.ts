import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DockService } from '../../src/dock/dock-service.ts';
import { FakeUsbWatcher } from '../../src/dock/fake-usb-watcher.ts';
import type { UsbIdentity } from '../../src/drivers/driver.ts';
import type { StationEventName, StationEvents } from '../../src/events/event-bus.ts';
import { findDock } from '../../src/ledger/docks.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import { temporaryFolder } from './station-cli.ts';

export interface DockStation {
  home: string;
  station: Station;
  docks: DockService;
  usb: FakeUsbWatcher;
  events: { name: StationEventName; payload: unknown }[];
  /** Resolves with the final state of the next dock of `root` that ends. */
  dockEnded(root: string): Promise<StationEvents['dock.done']>;
  close(): Promise<void>;
}

/** A real station (SQLite, archive, drivers) in a temporary home with its dock service running. */
export async function startDockStation(
  options: {
    dock?: Record<string, unknown>;
    ingest?: Record<string, unknown>;
    identifyUsb?: (source: string | null) => Promise<UsbIdentity | null>;
    autoMountCandidates?: () => Promise<string[]>;
  } = {},
): Promise<DockStation> {
  const folder = await temporaryFolder('dock');
  const configFile = path.join(folder.path, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      // The tests dock simulated recorders, a family only tests and the demo load.
      dock: {
        mountRoots: [path.join(folder.path, 'media')],
        settleSeconds: 0,
        simulatedRecorders: true,
        ...options.dock,
      },
      ingest: { copyChunkBytes: 65536, ...options.ingest },
    }),
  );
  const home = path.join(folder.path, 'home');
  const station = await openStation({
    env: { STATION_HOME: home, STATION_CONFIG: configFile },
    logger: silentLogger,
  });
  const usb = new FakeUsbWatcher();
  const docks = new DockService({
    station,
    usb,
    logger: silentLogger,
    identifyUsb: options.identifyUsb ?? (async () => null),
    autoMountCandidates: options.autoMountCandidates,
    pollMs: 100,
  });
  const events: DockStation['events'] = [];
  station.events.onAny((name, payload) => events.push({ name, payload }));
  await docks.start();
  return {
    home,
    station,
    docks,
    usb,
    events,
    dockEnded: (root) =>
      new Promise((resolve) => {
        const stop = station.events.on('dock.done', (done) => {
          if (findDock(station.db, done.dockId)?.sourcePath !== root) return;
          stop();
          resolve(done);
        });
      }),
    async close() {
      await docks.stop();
      await station.playback.whenIdle();
      station.close();
      await folder.remove();
    },
  };
}

export const mediaRoot = (dock: DockStation) => path.join(path.dirname(dock.home), 'media');
