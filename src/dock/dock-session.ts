import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceGoneError } from '../archive/copy-file.ts';
import type { DockedVolume } from '../drivers/driver.ts';
import { chooseDriver } from '../drivers/registry.ts';
import { isLedgerBusy, StopIngest } from '../ingest/file-intake.ts';
import type { IngestProgress } from '../ingest/ingest.ts';
import type { Db } from '../ledger/database.ts';
import { recordDeviceSighting } from '../ledger/devices.ts';
import { createDock, type DockUpdate, findDock, listDocks, updateDock } from '../ledger/docks.ts';
import type { Logger } from '../log/logger.ts';
import type { Station } from '../station.ts';
import { deleteVerifiedSources } from './delete-after-verify.ts';
import { checkClock, readBattery, readStorage, type StorageReading } from './dock-checks.ts';
import { detectInterruptions } from './interruptions.ts';

// ---- The state rules of a dock: the session below is the only writer of a dock's state. ----

/** Every state a dock can be in, in the order a dock passes through them. */
export const dockStates = [
  'detected',
  'identifying',
  'copying',
  // Every file is copied and read back (verified_at); the playback checks of the archive copies run.
  'checking-playback',
  'done',
  'device-removed',
  'failed',
  'interrupted',
] as const;
export type DockState = (typeof dockStates)[number];

/** A dock ends in exactly one of these; any other state means a session is working on it. */
export const finalDockStates: readonly DockState[] = ['done', 'device-removed', 'failed', 'interrupted'];

/**
 * Once every file is copied and read back from the archive the recorder may go: the playback checks
 * that follow work on the archive copy, not on the device.
 */
export const safeToUndockStates: readonly DockState[] = ['checking-playback', 'done'];

/** Ended before every recording was archived: the recorder must be docked again. */
export const redockStates: readonly DockState[] = ['device-removed', 'failed', 'interrupted'];

export const isFinalDockState = (state: string) => finalDockStates.includes(state as DockState);

/**
 * Why a dock ended without archiving everything, as a code; the catalogues say it to people
 * (`dash.dockReason.<code>`), the `detail` column keeps the technical message.
 */
export const dockReasons = [
  'device-removed',
  'station-stopped',
  'archive-full',
  'archive-unwritable',
  'source-unreadable',
  'ledger-busy',
  'files-not-archived',
  'unexpected-error',
] as const;
export type DockReason = (typeof dockReasons)[number];

/** Reasons someone must act on at the station, not just re-dock the recorder: they raise an alert. */
export const actionDockReasons: readonly DockReason[] = ['archive-full', 'archive-unwritable'];

// ---- Stages, for the fault tests ----

/** The stages a recording passes through in a dock, in order. */
export const dockStages = ['scan', 'copy', 'copied', 'read-back', 'playback-check', 'dock-end'] as const;
export type DockStage = (typeof dockStages)[number];

/**
 * Called as the session reaches each stage (`copy`: at the first chunk of each file, which waits for
 * it; `copied`: a file is in `.partial/`; `read-back`: placed under its final name, not yet re-read
 * or recorded). Only the fault tests use it, to fail the world at exactly that stage.
 */
export type StageHook = (
  stage: DockStage,
  at: { dockId: number; sourcePath?: string },
) => void | Promise<void>;

/**
 * `STATION_PAUSE_AT=<stage>`: a test-only switch for tests that SIGKILL a real `station serve` at a
 * stage. The process says where it is on stderr and then stops dead (its thread blocks) until killed.
 */
export function pauseAtStageFromEnvironment(env: NodeJS.ProcessEnv = process.env): StageHook | undefined {
  const wanted = env.STATION_PAUSE_AT;
  if (!wanted || !(dockStages as readonly string[]).includes(wanted)) return undefined;
  return (stage, at) => {
    if (stage !== wanted) return;
    process.stderr.write(`station: paused at stage ${stage} of dock #${at.dockId}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  };
}

// ---- The session ----

export type SessionStation = Pick<
  Station,
  'db' | 'config' | 'drivers' | 'events' | 'clock' | 'ingestor' | 'playback'
>;

export interface DockSessionRequest {
  volume: DockedVolume;
  /** How it was found: "mount", "folder", "cli". */
  origin: string;
  /** Known serial (CLI --device); otherwise the USB descriptor, the driver or the file names say. */
  deviceSerial?: string | null;
  /** Officer named by the operator; wins over device assignments and file names. */
  badge?: string | null;
  /**
   * The daemon's duties at a dock besides copying: the recorder's clock, battery and storage, the
   * interruptions between its segments, delete-after-verify. Off for `station ingest`.
   */
  recorderChecks?: boolean;
  onStage?: StageHook;
}

export interface DockReport extends IngestProgress {
  state: DockState;
  reason: DockReason | null;
  /** Why the dock stopped before the end (disk full, device removed), in words, if it did. */
  stoppedReason: string | null;
}

// FAT stores file times to 2 seconds; a smaller clock offset is noise, not drift.
const clockResolutionSeconds = 2;
// A final state must reach the ledger even while another process holds it for a while.
const busyRetryMs = 500;
const busyGiveUpMs = 10 * 60_000;

/**
 * One dock of one recorder, from the moment it is seen to its final state. It owns every state change
 * of its dock row and decides the final state and reason; the Ingestor only copies files and reports.
 * The driver is chosen once, from the volume and the names of its files, and that driver's clock and
 * battery are read.
 */
export class DockSession {
  readonly dockId: number;
  private readonly abort = new AbortController();
  private removed = false;

  private constructor(
    private readonly station: SessionStation,
    private readonly request: DockSessionRequest,
    private readonly logger: Logger,
    dockId: number,
  ) {
    this.dockId = dockId;
  }

  /** Opens the dock row; the recorder shows as detected (queued) until `run()`. */
  static open(station: SessionStation, request: DockSessionRequest, logger: Logger): DockSession {
    const { root, label } = request.volume;
    const dock = createDock(
      station.db,
      { origin: request.origin, sourcePath: root, volumeLabel: label },
      station.clock.now(),
    );
    station.events.emit('dock.detected', { dockId: dock.id, sourcePath: root, origin: request.origin });
    logger.info({ dockId: dock.id, root, label, usb: request.volume.usb }, 'recorder docked');
    return new DockSession(station, request, logger, dock.id);
  }

  get root(): string {
    return this.request.volume.root;
  }

  /** The recorder left (the volume is gone): the file in flight is abandoned, the dock ends device-removed. */
  removedFromDock(): void {
    if (this.removed) return;
    this.removed = true;
    this.logger.warn({ dockId: this.dockId, root: this.root }, 'recorder removed while docked');
    this.abort.abort(new SourceGoneError(`recorder was removed: ${this.root}`));
  }

  /** The station is stopping: the file in flight is abandoned, the dock ends interrupted. */
  stop(): void {
    this.abort.abort();
  }

  /** Works the dock to its end. Never throws: every fault ends in a named state with a reason. */
  async run(): Promise<DockReport> {
    const report: DockReport = {
      dockId: this.dockId,
      state: 'identifying',
      reason: null,
      driver: 'generic',
      device: null,
      recordings: [],
      skipped: [],
      failedFiles: 0,
      stoppedReason: null,
    };
    try {
      await this.work(report);
      // "Done" tells the officer the recorder may be wiped; a file that failed must be copied again.
      if (report.failedFiles > 0) {
        const detail = `${report.failedFiles} file(s) could not be archived`;
        this.end(report, 'failed', 'files-not-archived', detail);
      } else this.end(report, 'done', null, null);
    } catch (error) {
      const { state, reason } = this.outcomeOf(error);
      if (!(error instanceof StopIngest))
        this.logger.error({ dockId: this.dockId, err: error }, 'dock failed');
      if (state === 'device-removed')
        this.station.events.emit('device.removed', { dockId: this.dockId, sourcePath: this.root });
      await this.endWhenLedgerFree(report, state, reason, (error as Error).message);
    }
    return report;
  }

  private async work(report: DockReport): Promise<void> {
    const { db, drivers, ingestor, playback, clock } = this.station;
    const signal = this.abort.signal;
    signal.throwIfAborted();
    this.setState('identifying');
    await this.atStage('scan');
    const scan = await ingestor.scan(this.root);
    // Removed while scanning: what was scanned may be the empty folder the mount left behind.
    signal.throwIfAborted();
    if (this.request.origin === 'mount' && !(await stillMounted(this.root)))
      throw new StopIngest('device-removed', 'device-removed', `recorder was removed: ${this.root}`);
    const volume: DockedVolume = { ...this.request.volume, root: scan.root };
    const names = scan.files.map((file) => file.relativePath.split('/').pop()!);
    const driver = chooseDriver(drivers, volume, names);
    const checks = this.request.recorderChecks ? await this.checkRecorder(volume, driver.capabilities) : null;
    const plan = await ingestor.plan(
      {
        dockId: this.dockId,
        scan,
        volume,
        driver,
        deviceSerial: this.request.deviceSerial ?? null,
        badge: this.request.badge ?? null,
        clockOffsetSeconds: checks?.clockOffsetSeconds ?? null,
        signal,
        atStage: this.request.onStage,
      },
      report,
    );
    this.setState('copying', { filesTotal: plan.files.length, bytesTotal: plan.context.bytesTotal });
    await ingestor.copyAll(plan.files, plan.context, report);
    this.setState('checking-playback');
    await this.atStage('playback-check');
    await playback.whenChecked(report.recordings.map((recording) => recording.id));
    report.recordings = ingestor.refreshed(report.recordings);
    await this.atStage('dock-end');
    const deviceId = plan.context.deviceId;
    if (deviceId !== null && checks) {
      recordDeviceSighting(db, deviceId, {
        at: clock.now(),
        freeBytes: checks.storage?.freeBytes,
        totalBytes: checks.storage?.totalBytes,
        batteryPercent: checks.batteryPercent,
      });
    }
    if (deviceId !== null && checks) this.findInterruptions(deviceId);
    if (this.request.recorderChecks && this.station.config.dock.deleteAfterVerify && !this.removed) {
      await deleteVerifiedSources(db, { dockId: this.dockId, root: this.root }, this.logger, () =>
        clock.now(),
      );
    }
  }

  private async atStage(stage: DockStage): Promise<void> {
    await this.request.onStage?.(stage, { dockId: this.dockId });
  }

  /** A pulled cable can surface as any error (EIO while scanning, say); what matters is that it was pulled. */
  private outcomeOf(error: unknown): { state: DockState; reason: DockReason } {
    if (this.removed) return { state: 'device-removed', reason: 'device-removed' };
    if (error instanceof StopIngest) return { state: error.state, reason: error.reason };
    if ((error as Error).name === 'AbortError') return { state: 'interrupted', reason: 'station-stopped' };
    if (isLedgerBusy(error)) return { state: 'failed', reason: 'ledger-busy' };
    return { state: 'failed', reason: 'unexpected-error' };
  }

  private setState(state: DockState, extra: DockUpdate = {}): void {
    updateDock(this.station.db, this.dockId, { ...extra, state }, this.station.clock.now());
    this.station.events.emit('dock.state', { dockId: this.dockId, state, detail: null });
  }

  private end(report: DockReport, state: DockState, reason: DockReason | null, detail: string | null): void {
    const { db, clock, events } = this.station;
    updateDock(db, this.dockId, { state, reason, detail, ended: true }, clock.now());
    const dock = findDock(db, this.dockId)!;
    report.state = state;
    report.reason = reason;
    report.stoppedReason = detail;
    events.emit('dock.state', { dockId: this.dockId, state, detail });
    events.emit('dock.done', {
      dockId: this.dockId,
      state,
      filesDone: dock.filesDone,
      filesTotal: dock.filesTotal,
    });
    this.logger.info(
      { dockId: this.dockId, state, reason, filesDone: dock.filesDone, filesTotal: dock.filesTotal },
      'dock finished',
    );
  }

  /** The final state after a fault; a ledger held by another process is waited for, not given up on. */
  private async endWhenLedgerFree(
    report: DockReport,
    state: DockState,
    reason: DockReason,
    detail: string,
  ): Promise<void> {
    const deadline = Date.now() + busyGiveUpMs;
    for (;;) {
      try {
        this.end(report, state, reason, detail);
        return;
      } catch (error) {
        if (!isLedgerBusy(error) || Date.now() > deadline) {
          // The row stays open; the next start closes it as interrupted (closeUnfinishedDocks).
          this.logger.error({ dockId: this.dockId, err: error }, 'could not record the end of the dock');
          report.state = state;
          report.reason = reason;
          report.stoppedReason = detail;
          return;
        }
        await sleep(busyRetryMs);
      }
    }
  }

  private async checkRecorder(volume: DockedVolume, capabilities: Parameters<typeof checkClock>[0]) {
    const storage = await readStorage(volume.root);
    if (storage) this.storageChecked(storage);
    const clockOffsetSeconds = await this.clockChecked(volume, capabilities);
    const batteryPercent = await readBattery(capabilities, volume);
    if (batteryPercent !== null) this.batteryChecked(batteryPercent);
    return { storage, clockOffsetSeconds, batteryPercent };
  }

  private batteryChecked(batteryPercent: number): void {
    const { db, clock, config } = this.station;
    updateDock(db, this.dockId, { batteryPercent }, clock.now());
    if (batteryPercent < config.dock.lowBatteryPercent)
      this.warn('low-battery', `recorder battery at ${batteryPercent}%`);
  }

  private storageChecked(storage: StorageReading): void {
    const { db, clock, config } = this.station;
    updateDock(
      db,
      this.dockId,
      { freeBytes: storage.freeBytes, totalBytes: storage.totalBytes },
      clock.now(),
    );
    if (storage.freePercent < config.dock.lowStoragePercent) {
      this.warn('low-storage', `recorder storage ${storage.freePercent.toFixed(1)}% free`);
    }
  }

  /** The offset to correct recording times by: null where unknown, 0 where within resolution. */
  private async clockChecked(
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
      this.warn('clock-offset', `recorder clock is off by ${reading.offsetSeconds} s`);
      if (reading.set) this.warn('clock-set', 'recorder clock set to station time');
      return reading.offsetSeconds;
    } catch (error) {
      this.logger.warn({ dockId: this.dockId, err: error }, 'could not read the recorder clock');
      return null;
    }
  }

  private findInterruptions(deviceId: number): void {
    const { db, config, clock } = this.station;
    const found = detectInterruptions(
      db,
      {
        dockId: this.dockId,
        deviceId,
        thresholdSeconds: config.dock.gapThresholdSeconds,
        activityBreakSeconds: config.dock.activityBreakSeconds,
      },
      clock.now(),
    );
    for (const gap of found)
      this.logger.warn(
        { dockId: this.dockId, interruption: gap },
        'recording interrupted; needs an explanation',
      );
  }

  private warn(kind: string, detail: string): void {
    this.logger.warn({ dockId: this.dockId, kind }, detail);
    this.station.events.emit('dock.warning', { dockId: this.dockId, kind, detail });
  }
}

/** A folder or volume docked by hand (`station ingest`, tests): one session, run to its end. */
export function dockFolder(
  station: SessionStation & Pick<Station, 'logger'>,
  request: Omit<DockSessionRequest, 'volume'> & { sourceRoot: string; volume?: Partial<DockedVolume> },
): Promise<DockReport> {
  const logger = station.logger.child({ service: 'ingest' });
  const volume: DockedVolume = {
    root: request.sourceRoot,
    label: request.volume?.label ?? null,
    usb: request.volume?.usb ?? null,
  };
  return DockSession.open(station, { ...request, volume }, logger).run();
}

/**
 * Docks left open by a process that stopped (killed, power cut): closed as interrupted. Called at
 * start-up before anything new is docked; the recorder, if still there, is docked afresh and only
 * what is missing is copied.
 */
export function closeUnfinishedDocks(db: Db, now: Date): number {
  const open = listDocks(db, { activeOnly: true, limit: 1_000_000 });
  for (const dock of open) {
    updateDock(
      db,
      dock.id,
      {
        state: 'interrupted',
        reason: 'station-stopped',
        detail: 'station stopped during this dock',
        ended: true,
      },
      now,
    );
  }
  return open.length;
}

/** A mount point sits on another file system than its parent folder; once unmounted it does not. */
async function stillMounted(root: string): Promise<boolean> {
  try {
    const [inside, parent] = await Promise.all([stat(root), stat(path.dirname(root))]);
    return inside.dev !== parent.dev;
  } catch {
    return false;
  }
}
