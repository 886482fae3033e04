import { SourceGoneError } from '../archive/copy-file.ts';
import type { DockedVolume } from '../drivers/driver.ts';
import { chooseDriver } from '../drivers/registry.ts';
import { recordDeviceSighting } from '../ledger/devices.ts';
import { createDock, type DockState, findDock, updateDock } from '../ledger/docks.ts';
import type { Logger } from '../log/logger.ts';
import type { Station } from '../station.ts';
import { createLimiter, type Limiter } from '../util/limiter.ts';
import { deleteVerifiedSources } from './delete-after-verify.ts';
import { checkClock, readBattery, readStorage, type StorageReading } from './dock-checks.ts';
import { detectInterruptions } from './interruptions.ts';

export type DockStation = Pick<Station, 'db' | 'config' | 'drivers' | 'events' | 'clock' | 'ingestor'>;

export interface DockRequest {
  volume: DockedVolume;
  /** How it was found: "mount" or "folder". */
  origin: string;
}

export interface DockOutcome {
  dockId: number;
  state: DockState;
}

interface Session {
  root: string;
  dockId: number;
  abort: AbortController;
  removed: boolean;
  done: Promise<DockOutcome>;
}

// FAT stores file times to 2 seconds; a smaller clock offset is noise, not drift.
const clockResolutionSeconds = 2;
const lowBatteryPercent = 20;

const defaultDetail: Partial<Record<DockState, string>> = {
  interrupted: 'station stopped during this dock',
  'device-removed': 'recorder was removed before the copy finished',
};

/**
 * One session per docked volume. Each session copies its recorder's files in order (the Ingestor does
 * one file at a time); up to `dock.maxParallel` sessions copy at once, so eight recorders share the
 * archive disk instead of eighty files fighting over it.
 */
export class DockManager {
  private readonly sessions = new Map<string, Session>();
  private readonly limit: Limiter;
  private stopping = false;

  constructor(
    private readonly station: DockStation,
    private readonly logger: Logger,
  ) {
    this.limit = createLimiter(station.config.dock.maxParallel);
  }

  /** Opens a session; null when this volume is already being docked or the manager is stopping. */
  dock(request: DockRequest): Promise<DockOutcome> | null {
    const { root } = request.volume;
    if (this.stopping || this.sessions.has(root)) return null;
    const { db, clock, events } = this.station;
    const dock = createDock(
      db,
      { origin: request.origin, sourcePath: root, volumeLabel: request.volume.label },
      clock.now(),
    );
    events.emit('dock.detected', { dockId: dock.id, sourcePath: root, origin: request.origin });
    this.logger.info(
      { dockId: dock.id, root, label: request.volume.label, usb: request.volume.usb },
      'recorder docked',
    );
    const session: Session = {
      root,
      dockId: dock.id,
      abort: new AbortController(),
      removed: false,
      done: Promise.resolve({ dockId: dock.id, state: 'detected' }),
    };
    session.done = this.limit(() => this.run(session, request))
      .catch((error) => this.failed(session, error))
      .finally(() => this.sessions.delete(root));
    this.sessions.set(root, session);
    return session.done;
  }

  /** The volume is gone: stop copying, throw the partial file away, mark the session. */
  undock(root: string): void {
    const session = this.sessions.get(root);
    if (!session || session.removed) return;
    session.removed = true;
    this.logger.warn({ dockId: session.dockId, root }, 'recorder removed while docked');
    session.abort.abort(new SourceGoneError(`recorder was removed: ${root}`));
  }

  /** Abandons the file in flight of every session (its partial copy is discarded) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    const sessions = [...this.sessions.values()];
    for (const session of sessions) session.abort.abort();
    await Promise.allSettled(sessions.map((session) => session.done));
  }

  private async run(session: Session, request: DockRequest): Promise<DockOutcome> {
    const { db, clock, config, drivers, ingestor } = this.station;
    if (session.abort.signal.aborted)
      return this.finish(session, session.removed ? 'device-removed' : 'interrupted');
    updateDock(db, session.dockId, { state: 'identifying' }, clock.now());
    const volume = request.volume;
    const driver = chooseDriver(drivers, volume, []);
    const storage = await readStorage(volume.root);
    if (storage) this.storageChecked(session, storage);
    const clockOffsetSeconds = await this.clockChecked(session, volume, driver.capabilities);
    const batteryPercent = await readBattery(driver.capabilities, volume);
    if (batteryPercent !== null && batteryPercent < lowBatteryPercent)
      this.warn(session, 'low-battery', `recorder battery at ${batteryPercent}%`);

    const report = await ingestor.ingest({
      sourceRoot: volume.root,
      origin: request.origin,
      volume,
      clockOffsetSeconds,
      dockId: session.dockId,
      signal: session.abort.signal,
    });

    const deviceId = findDock(db, session.dockId)?.deviceId ?? null;
    if (deviceId !== null) {
      recordDeviceSighting(db, deviceId, {
        at: clock.now(),
        freeBytes: storage?.freeBytes,
        totalBytes: storage?.totalBytes,
        batteryPercent,
      });
    }
    if (report.state !== 'done') return this.finish(session, this.finalState(session, report.state));
    if (deviceId !== null) {
      const found = detectInterruptions(
        db,
        {
          dockId: session.dockId,
          deviceId,
          thresholdSeconds: config.dock.gapThresholdSeconds,
          activityBreakSeconds: config.dock.activityBreakSeconds,
        },
        clock.now(),
      );
      for (const gap of found)
        this.logger.warn(
          { dockId: session.dockId, interruption: gap },
          'recording interrupted; needs an explanation',
        );
    }
    if (config.dock.deleteAfterVerify && !session.removed) {
      await deleteVerifiedSources(db, { dockId: session.dockId, root: volume.root }, this.logger, () =>
        clock.now(),
      );
    }
    return this.finish(session, 'done');
  }

  // A pulled cable can surface as any error (EIO while scanning, say); what matters is that it was pulled.
  private finalState(session: Session, state: DockState): DockState {
    if (!session.removed || state === 'device-removed') return state;
    this.station.events.emit('device.removed', { dockId: session.dockId, sourcePath: session.root });
    return 'device-removed';
  }

  private storageChecked(session: Session, storage: StorageReading): void {
    const { db, clock, config } = this.station;
    updateDock(
      db,
      session.dockId,
      { freeBytes: storage.freeBytes, totalBytes: storage.totalBytes },
      clock.now(),
    );
    if (storage.freePercent < config.dock.lowStoragePercent) {
      this.warn(session, 'low-storage', `recorder storage ${storage.freePercent.toFixed(1)}% free`);
    }
  }

  /** Returns the offset to correct recording times by: null where unknown, 0 where within resolution. */
  private async clockChecked(
    session: Session,
    volume: DockedVolume,
    capabilities: Parameters<typeof checkClock>[0],
  ): Promise<number | null> {
    const { clock, config } = this.station;
    try {
      const reading = await checkClock(capabilities, volume, {
        now: () => clock.now(),
        setClock: config.dock.setClock,
        toleranceSeconds: clockResolutionSeconds,
      });
      if (reading.offsetSeconds === null) return null;
      if (Math.abs(reading.offsetSeconds) <= clockResolutionSeconds) return 0;
      this.warn(session, 'clock-offset', `recorder clock is off by ${reading.offsetSeconds} s`);
      if (reading.set) this.warn(session, 'clock-set', 'recorder clock set to station time');
      return reading.offsetSeconds;
    } catch (error) {
      this.logger.warn({ dockId: session.dockId, err: error }, 'could not read the recorder clock');
      return null;
    }
  }

  private warn(session: Session, kind: string, detail: string): void {
    this.logger.warn({ dockId: session.dockId, kind }, detail);
    this.station.events.emit('dock.warning', { dockId: session.dockId, kind, detail });
  }

  private finish(session: Session, state: DockState): DockOutcome {
    const { db, clock, events } = this.station;
    const dock = findDock(db, session.dockId)!;
    if (dock.state !== state) {
      const detail = dock.detail ?? defaultDetail[state] ?? null;
      updateDock(db, session.dockId, { state, detail }, clock.now());
    }
    events.emit('dock.done', {
      dockId: session.dockId,
      state,
      filesDone: dock.filesDone,
      filesTotal: dock.filesTotal,
    });
    this.logger.info(
      { dockId: session.dockId, state, filesDone: dock.filesDone, filesTotal: dock.filesTotal },
      'dock finished',
    );
    return { dockId: session.dockId, state };
  }

  private failed(session: Session, error: unknown): DockOutcome {
    this.logger.error({ dockId: session.dockId, err: error }, 'dock failed');
    this.station.events.emit('error', {
      scope: 'dock',
      message: (error as Error).message,
      dockId: session.dockId,
    });
    updateDock(
      this.station.db,
      session.dockId,
      { state: 'failed', detail: (error as Error).message },
      this.station.clock.now(),
    );
    return this.finish(session, this.finalState(session, 'failed'));
  }
}
