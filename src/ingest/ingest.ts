import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Archive, VerificationError } from '../archive/archive.ts';
import { DiskFullError, SourceGoneError } from '../archive/copy-file.ts';
import type { StationConfig } from '../config/config.ts';
import type { DockedVolume } from '../drivers/driver.ts';
import { parseFileName } from '../drivers/file-name-template.ts';
import { chooseDriver, type LoadedDriver } from '../drivers/registry.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Db } from '../ledger/database.ts';
import { ensureDevice, recordDeviceSighting } from '../ledger/devices.ts';
import { createDock, type DockState, findDock, saveDockFile, updateDock } from '../ledger/docks.ts';
import type { Recording } from '../ledger/recordings.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../time/clock.ts';
import {
  type CopyStageResult,
  commitStage,
  copyStage,
  type DockContext,
  isCopiedFile,
  type Outcome,
  StopIngest,
} from './file-intake.ts';
import type { PlaybackQueue } from './playback-queue.ts';
import { type ScanResult, type SkippedFile, type SourceFile, scanSource } from './scan.ts';

export interface IngestRequest {
  sourceRoot: string;
  origin: string;
  volume?: Partial<DockedVolume>;
  /** Known serial (CLI --device, USB descriptor); otherwise the driver works it out. */
  deviceSerial?: string | null;
  /** Officer named by the operator; wins over device assignments and file names. */
  badge?: string | null;
  clockOffsetSeconds?: number | null;
  /** The dock row the daemon already opened; a new one otherwise. */
  dockId?: number;
  signal?: AbortSignal;
}

export interface IngestReport {
  dockId: number;
  state: DockState;
  driver: string;
  device: { serial: string; driver: string } | null;
  recordings: Recording[];
  skipped: SkippedFile[];
  /** Why the ingest stopped before the end (disk full, device removed), if it did. */
  stoppedReason: string | null;
}

export interface IngestDeps {
  db: Db;
  archive: Archive;
  drivers: LoadedDriver[];
  config: StationConfig;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  playback: PlaybackQueue;
}

/**
 * Takes every new recording off one source. Files go through two stages (file-intake.ts): the copy
 * stage reads the recorder, the commit stage works on the archive only. While file N is committed
 * (read back on a worker thread, ledger row written) file N+1 is already being copied.
 */
export class Ingestor {
  constructor(private readonly deps: IngestDeps) {}

  async ingest(request: IngestRequest): Promise<IngestReport> {
    const { db, clock, events } = this.deps;
    const dock =
      request.dockId !== undefined
        ? findDock(db, request.dockId)!
        : createDock(
            db,
            { origin: request.origin, sourcePath: request.sourceRoot, volumeLabel: request.volume?.label },
            clock.now(),
          );
    if (request.dockId === undefined) {
      events.emit('dock.detected', {
        dockId: dock.id,
        sourcePath: request.sourceRoot,
        origin: request.origin,
      });
    }
    const report: IngestReport = {
      dockId: dock.id,
      state: 'copying',
      driver: 'generic',
      device: null,
      recordings: [],
      skipped: [],
      stoppedReason: null,
    };
    try {
      await this.run(request, report);
      report.state = 'done';
    } catch (error) {
      report.state = error instanceof StopIngest ? error.state : 'failed';
      report.stoppedReason = (error as Error).message;
      if (!(error instanceof StopIngest))
        this.deps.logger.error({ err: error, dockId: dock.id }, 'ingest failed');
    }
    updateDock(db, dock.id, { state: report.state, detail: report.stoppedReason }, clock.now());
    events.emit('dock.state', { dockId: dock.id, state: report.state, detail: report.stoppedReason });
    return report;
  }

  private async run(request: IngestRequest, report: IngestReport): Promise<void> {
    const { db, clock, events } = this.deps;
    updateDock(db, report.dockId, { state: 'identifying' }, clock.now());
    const scan = await this.scan(request.sourceRoot);
    const context = await this.identify(request, scan, report);
    const files = this.filesToCopy(scan, context, report);
    updateDock(
      db,
      report.dockId,
      { state: 'copying', filesTotal: files.length, bytesTotal: context.bytesTotal },
      clock.now(),
    );
    events.emit('dock.state', { dockId: report.dockId, state: 'copying', detail: null });
    await this.copyAll(files, context, report);
    updateDock(db, report.dockId, { state: 'verifying' }, clock.now());
    events.emit('dock.state', { dockId: report.dockId, state: 'verifying', detail: null });
    await this.deps.playback.whenIdle();
    report.recordings = report.recordings.map((recording) => refresh(db, recording));
  }

  /** Files of one recorder go in order; the commit of one overlaps the copy of the next. */
  private async copyAll(files: SourceFile[], context: DockContext, report: IngestReport): Promise<void> {
    let committing: Promise<Error | null> = Promise.resolve(null);
    for (const [index, file] of files.entries()) {
      let staged: CopyStageResult | null = null;
      try {
        staged = await copyStage(
          file,
          context,
          this.deps,
          throttle((bytes) => this.progress(context, file, bytes)),
        ).catch((error) => this.failure(error, file, context));
        // The previous file's row comes first, and at most one copy waits for its commit.
        const previousFailure = await committing;
        if (previousFailure) throw previousFailure;
      } catch (error) {
        if (staged && isCopiedFile(staged)) await this.deps.archive.discard(staged.copy.partialPath);
        await committing;
        this.skipRest(files.slice(index), error, report);
        throw error;
      }
      // Settled into a value so that a failure surfaces at the next await, never as an unhandled rejection.
      committing = this.finishFile(file, staged, context, report).then(
        () => null,
        (error: Error) => error,
      );
    }
    const lastFailure = await committing;
    if (lastFailure) throw lastFailure;
  }

  private skipRest(files: SourceFile[], error: unknown, report: IngestReport): void {
    if (!(error instanceof StopIngest)) return;
    for (const file of files)
      report.skipped.push({ sourcePath: file.relativePath, reason: `not copied: ${error.message}` });
  }

  private async finishFile(
    file: SourceFile,
    staged: CopyStageResult,
    context: DockContext,
    report: IngestReport,
  ) {
    const outcome = isCopiedFile(staged)
      ? await commitStage(staged, context, this.deps).catch((error) => this.failure(error, file, context))
      : staged;
    context.filesDone++;
    context.bytesDone += file.sizeBytes;
    updateDock(
      this.deps.db,
      context.dockId,
      { filesDone: context.filesDone, bytesDone: context.bytesDone },
      this.deps.clock.now(),
    );
    if ('reason' in outcome) this.recordSkipped(file, outcome, context, report);
    else this.recordArchived(file, outcome, context, report);
  }

  private recordSkipped(
    file: SourceFile,
    outcome: Outcome,
    context: DockContext,
    report: IngestReport,
  ): void {
    report.skipped.push({ sourcePath: outcome.sourcePath, reason: outcome.reason });
    saveDockFile(this.deps.db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state: outcome.state,
      reason: outcome.reason,
      recordingId: outcome.recordingId ?? null,
    });
    this.deps.events.emit('file.done', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      recordingId: outcome.recordingId ?? null,
      outcome: outcome.state,
      reason: outcome.reason,
    });
  }

  private recordArchived(
    file: SourceFile,
    recording: Recording,
    context: DockContext,
    report: IngestReport,
  ): void {
    report.recordings.push(recording);
    const state = recording.duplicateOf ? 'duplicate' : 'done';
    saveDockFile(this.deps.db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state,
      bytesDone: file.sizeBytes,
      recordingId: recording.id,
    });
    this.deps.events.emit('file.done', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      recordingId: recording.id,
      outcome: state,
      reason: null,
    });
  }

  private async scan(sourceRoot: string): Promise<ScanResult> {
    try {
      return await scanSource(sourceRoot);
    } catch (error) {
      throw new StopIngest('failed', `cannot read source ${sourceRoot}: ${(error as Error).message}`);
    }
  }

  /** Recordings inside the driver's folders; everything else found is reported, not copied. */
  private filesToCopy(scan: ScanResult, context: DockContext, report: IngestReport): SourceFile[] {
    const roots = (context.driver.recordingRoots ?? ['.']).map((root) =>
      path.posix.normalize(root).replace(/\/$/, ''),
    );
    const inRoots = (file: SourceFile) =>
      roots.some(
        (root) => root === '.' || file.relativePath === root || file.relativePath.startsWith(`${root}/`),
      );
    const files = scan.files.filter(inRoots);
    const outside = scan.files
      .filter((file) => !inRoots(file))
      .map((file) => ({ sourcePath: file.relativePath, reason: 'outside the recorder’s recording folders' }));
    report.skipped.push(...scan.skipped, ...outside);
    for (const skipped of [...scan.skipped, ...outside]) {
      saveDockFile(this.deps.db, {
        dockId: report.dockId,
        sourcePath: skipped.sourcePath,
        sizeBytes: 0,
        state: 'skipped',
        reason: skipped.reason,
      });
    }
    context.bytesTotal = files.reduce((sum, file) => sum + file.sizeBytes, 0);
    return files;
  }

  private async identify(
    request: IngestRequest,
    scan: ScanResult,
    report: IngestReport,
  ): Promise<DockContext> {
    const { db, clock, drivers, events } = this.deps;
    const volume: DockedVolume = {
      root: scan.root,
      label: request.volume?.label ?? null,
      usb: request.volume?.usb ?? null,
    };
    const names = scan.files.map((file) => path.basename(file.relativePath));
    const driver = chooseDriver(drivers, volume, names);
    const identity = await driver.capabilities?.readIdentity?.(volume).catch(() => null);
    const serial =
      request.deviceSerial ??
      volume.usb?.serial ??
      identity?.serial ??
      mostCommon(names.map((name) => parseFileName(driver.templates, name)?.serial));
    const device = serial
      ? ensureDevice(db, { serial, driver: driver.id, model: identity?.model }, clock.now())
      : null;
    if (device)
      recordDeviceSighting(db, device.id, {
        at: clock.now(),
        clockOffsetSeconds: request.clockOffsetSeconds,
      });
    updateDock(
      db,
      report.dockId,
      {
        driver: driver.id,
        deviceId: device?.id ?? null,
        clockOffsetSeconds: request.clockOffsetSeconds ?? null,
      },
      clock.now(),
    );
    report.driver = driver.id;
    report.device = device ? { serial: device.serial, driver: driver.id } : null;
    events.emit('dock.identified', {
      dockId: report.dockId,
      driver: driver.id,
      deviceSerial: device?.serial ?? null,
      badge: request.badge ?? null,
    });
    return {
      dockId: report.dockId,
      root: scan.root,
      driver,
      deviceId: device?.id ?? null,
      badge: request.badge ?? null,
      clockOffsetSeconds: request.clockOffsetSeconds ?? null,
      bytesTotal: 0,
      bytesDone: 0,
      filesDone: 0,
      rootDevice: (await stat(scan.root).catch(() => null))?.dev ?? null,
      signal: request.signal,
    };
  }

  // Live progress goes to the event stream only; the dock row is written once per file, since every
  // SQLite commit here waits for an fsync.
  private progress(context: DockContext, file: SourceFile, bytesDone: number): void {
    this.deps.events.emit('file.progress', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      bytesDone,
      sizeBytes: file.sizeBytes,
      dockBytesDone: context.bytesDone + bytesDone,
      dockBytesTotal: context.bytesTotal,
    });
  }

  /** Turns a per-file error into a skipped entry, or stops the whole dock when the cause is global. */
  private async failure(error: unknown, file: SourceFile, context: DockContext): Promise<Outcome> {
    if (error instanceof StopIngest) throw error;
    if (error instanceof DiskFullError) throw new StopIngest('failed', error.message);
    if ((error as Error).name === 'AbortError')
      throw new StopIngest('interrupted', 'station is shutting down');
    // The dock manager aborts with a SourceGoneError when the volume leaves the mount table.
    const removalSignalled = context.signal?.reason instanceof SourceGoneError;
    if (
      error instanceof SourceGoneError &&
      (removalSignalled || !(await stillThere(context.root, context.rootDevice)))
    ) {
      this.deps.events.emit('device.removed', { dockId: context.dockId, sourcePath: context.root });
      throw new StopIngest('device-removed', 'recorder was removed during the copy');
    }
    const reason =
      error instanceof SourceGoneError || error instanceof VerificationError
        ? error.message
        : `copy failed: ${describe(error)}`;
    this.deps.logger.warn({ file: file.relativePath, reason }, 'file not archived');
    return { sourcePath: file.relativePath, reason, state: 'failed' };
  }
}

function refresh(db: Db, recording: Recording): Recording {
  const row = db
    .prepare('SELECT playback, playback_detail, probed_at FROM recordings WHERE id = ?')
    .get(recording.id) as
    | { playback: Recording['playback']; playback_detail: string | null; probed_at: string | null }
    | undefined;
  if (!row) return recording;
  return {
    ...recording,
    playback: row.playback,
    playbackDetail: row.playback_detail ? JSON.parse(row.playback_detail) : null,
    probedAt: row.probed_at,
  };
}

async function stillThere(root: string, device: number | null): Promise<boolean> {
  try {
    if (device !== null && (await stat(root)).dev !== device) return false;
    await readdir(root);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code} ${(error as Error).message}` : (error as Error).message;
}

function mostCommon(values: (string | undefined)[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | null = null;
  for (const [value, count] of counts) if (!best || count > counts.get(best)!) best = value;
  return best;
}

// Progress callbacks fire per chunk; the dashboard needs a few updates a second at most.
function throttle(callback: (bytesDone: number) => void, intervalMs = 250): (bytesDone: number) => void {
  let last = 0;
  return (bytesDone) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    callback(bytesDone);
  };
}
