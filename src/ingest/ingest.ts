import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Archive, VerificationError } from '../archive/archive.ts';
import { ArchiveWriteError, DiskFullError, SourceGoneError } from '../archive/copy-file.ts';
import type { StationConfig } from '../config/config.ts';
import type { StageHook } from '../dock/dock-session.ts';
import type { DockedVolume } from '../drivers/driver.ts';
import { parseFileName } from '../drivers/file-name-template.ts';
import type { LoadedDriver } from '../drivers/registry.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Db } from '../ledger/database.ts';
import { ensureDevice, recordDeviceSighting } from '../ledger/devices.ts';
import { saveDockFile, updateDock } from '../ledger/docks.ts';
import type { Recording } from '../ledger/recordings.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../time/clock.ts';
import {
  type CopyStageResult,
  commitStage,
  copyStage,
  type DockContext,
  isCopiedFile,
  isLedgerBusy,
  type Outcome,
  StopIngest,
} from './file-intake.ts';
import { fileNote } from './file-notes.ts';
import type { PlaybackQueue } from './playback-queue.ts';
import { type ScanResult, type SkippedFile, type SourceFile, scanSource } from './scan.ts';

/** What the dock session knows when it hands a scanned recorder to the Ingestor. */
export interface IngestPlanRequest {
  dockId: number;
  scan: ScanResult;
  volume: DockedVolume;
  /** Chosen once by the session, from the volume and the file names. */
  driver: LoadedDriver;
  /** Known serial (CLI --device, USB descriptor); otherwise the driver works it out. */
  deviceSerial: string | null;
  /** Officer named by the operator; wins over device assignments and file names. */
  badge: string | null;
  clockOffsetSeconds: number | null;
  signal?: AbortSignal;
  atStage?: StageHook;
}

/** What the Ingestor fills in while it works; the session owns the rest (state, reason). */
export interface IngestProgress {
  dockId: number;
  driver: string;
  device: { serial: string; driver: string } | null;
  recordings: Recording[];
  skipped: SkippedFile[];
  /** Files that could not be archived this time (the dock then has to be repeated). */
  failedFiles: number;
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
 * Takes every new recording off one scanned source, for a dock session (src/dock/dock-session.ts),
 * which owns the dock's state. Files go through two stages (file-intake.ts): the copy stage reads the
 * recorder, the commit stage works on the archive only. While file N is committed (read back on a
 * worker thread, ledger row written) file N+1 is already being copied. A fault that ends the whole
 * dock is thrown as a StopIngest naming the dock's end state and reason.
 */
export class Ingestor {
  constructor(private readonly deps: IngestDeps) {}

  async scan(sourceRoot: string): Promise<ScanResult> {
    try {
      return await scanSource(sourceRoot);
    } catch (error) {
      if (error instanceof SourceGoneError || !(await stillThere(sourceRoot, null)))
        throw new StopIngest('device-removed', 'device-removed', `recorder was removed: ${sourceRoot}`);
      throw new StopIngest(
        'failed',
        'source-unreadable',
        `cannot read source ${sourceRoot}: ${(error as Error).message}`,
      );
    }
  }

  /** Identifies the recorder and lists the files to copy; the rest of the scan is recorded as skipped. */
  async plan(
    request: IngestPlanRequest,
    progress: IngestProgress,
  ): Promise<{ context: DockContext; files: SourceFile[] }> {
    const context = await this.identify(request, progress);
    return { context, files: this.filesToCopy(request.scan, context, progress) };
  }

  /** The playback results the queue wrote since the rows were made. */
  refreshed(recordings: Recording[]): Recording[] {
    return recordings.map((recording) => refresh(this.deps.db, recording));
  }

  /** Files of one recorder go in order; the commit of one overlaps the copy of the next. */
  async copyAll(files: SourceFile[], context: DockContext, report: IngestProgress): Promise<void> {
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

  private skipRest(files: SourceFile[], error: unknown, report: IngestProgress): void {
    if (!(error instanceof StopIngest)) return;
    for (const file of files)
      report.skipped.push({
        sourcePath: file.relativePath,
        reason: `not copied: ${error.message}`,
        note: fileNote('not-copied', { reason: error.reason }),
      });
  }

  private async finishFile(
    file: SourceFile,
    staged: CopyStageResult,
    context: DockContext,
    report: IngestProgress,
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
    report: IngestProgress,
  ): void {
    report.skipped.push({ sourcePath: outcome.sourcePath, reason: outcome.reason, note: outcome.note });
    if (outcome.state === 'failed') report.failedFiles++;
    saveDockFile(this.deps.db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state: outcome.state,
      reason: outcome.reason,
      note: outcome.note,
      recordingId: outcome.recordingId ?? null,
    });
    this.deps.events.emit('file.done', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      recordingId: outcome.recordingId ?? null,
      outcome: outcome.state,
      reason: outcome.reason,
      note: outcome.note,
    });
  }

  private recordArchived(
    file: SourceFile,
    recording: Recording,
    context: DockContext,
    report: IngestProgress,
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
      note: null,
    });
  }

  /** Recordings inside the driver's folders; everything else found is reported, not copied. */
  private filesToCopy(scan: ScanResult, context: DockContext, report: IngestProgress): SourceFile[] {
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
      .map((file) => ({
        sourcePath: file.relativePath,
        reason: 'outside the recorder’s recording folders',
        note: fileNote('outside-recording-folders'),
      }));
    report.skipped.push(...scan.skipped, ...outside);
    for (const skipped of [...scan.skipped, ...outside]) {
      saveDockFile(this.deps.db, {
        dockId: report.dockId,
        sourcePath: skipped.sourcePath,
        sizeBytes: 0,
        state: 'skipped',
        reason: skipped.reason,
        note: skipped.note,
      });
    }
    context.bytesTotal = files.reduce((sum, file) => sum + file.sizeBytes, 0);
    return files;
  }

  private async identify(request: IngestPlanRequest, progress: IngestProgress): Promise<DockContext> {
    const { db, clock, events } = this.deps;
    const { scan, volume, driver } = request;
    const names = scan.files.map((file) => path.basename(file.relativePath));
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
      request.dockId,
      {
        driver: driver.id,
        deviceId: device?.id ?? null,
        clockOffsetSeconds: request.clockOffsetSeconds,
      },
      clock.now(),
    );
    progress.driver = driver.id;
    progress.device = device ? { serial: device.serial, driver: driver.id } : null;
    events.emit('dock.identified', {
      dockId: request.dockId,
      driver: driver.id,
      deviceSerial: device?.serial ?? null,
      badge: request.badge,
    });
    return {
      dockId: request.dockId,
      root: scan.root,
      driver,
      deviceId: device?.id ?? null,
      badge: request.badge,
      clockOffsetSeconds: request.clockOffsetSeconds,
      bytesTotal: 0,
      bytesDone: 0,
      filesDone: 0,
      rootDevice: (await stat(scan.root).catch(() => null))?.dev ?? null,
      signal: request.signal,
      atStage: request.atStage,
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
    if (error instanceof DiskFullError) throw new StopIngest('failed', 'archive-full', error.message);
    if (error instanceof ArchiveWriteError)
      throw new StopIngest('failed', 'archive-unwritable', error.message);
    if (isLedgerBusy(error))
      throw new StopIngest('failed', 'ledger-busy', `ledger held by another process: ${describe(error)}`);
    if ((error as Error).name === 'AbortError' && !(context.signal?.reason instanceof SourceGoneError))
      throw new StopIngest('interrupted', 'station-stopped', 'station is shutting down');
    // The dock manager aborts with a SourceGoneError when the volume leaves the mount table.
    const removalSignalled = context.signal?.reason instanceof SourceGoneError;
    if (
      removalSignalled ||
      (error instanceof SourceGoneError && !(await stillThere(context.root, context.rootDevice)))
    ) {
      throw new StopIngest('device-removed', 'device-removed', 'recorder was removed during the copy');
    }
    const reason =
      error instanceof SourceGoneError || error instanceof VerificationError
        ? error.message
        : `copy failed: ${describe(error)}`;
    const note = fileNote(
      error instanceof SourceGoneError
        ? 'source-changed'
        : error instanceof VerificationError
          ? 'verification-failed'
          : 'copy-failed',
    );
    this.deps.logger.warn({ file: file.relativePath, reason }, 'file not archived');
    return { sourcePath: file.relativePath, reason, note, state: 'failed' };
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
