import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Archive, VerificationError } from '../archive/archive.ts';
import { DiskFullError, SourceGoneError } from '../archive/copy-file.ts';
import type { StationConfig } from '../config/config.ts';
import { appendAudit } from '../custody/audit-log.ts';
import { sealRecording } from '../custody/recording-seal.ts';
import type { DockedVolume } from '../drivers/driver.ts';
import { parseFileName } from '../drivers/file-name-template.ts';
import { chooseDriver, type LoadedDriver } from '../drivers/registry.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Db } from '../ledger/database.ts';
import { ensureDevice, holderAt, recordDeviceSighting } from '../ledger/devices.ts';
import { createDock, type DockState, findDock, saveDockFile, updateDock } from '../ledger/docks.ts';
import { findOfficerByBadge } from '../ledger/officers.ts';
import {
  findKnownSourceFile,
  findOriginalBySha256,
  insertRecording,
  type NewRecording,
  type Recording,
} from '../ledger/recordings.ts';
import type { Logger } from '../log/logger.ts';
import { probe } from '../media/probe.ts';
import type { Clock } from '../time/clock.ts';
import { isoInZone, localDateIn } from '../time/zone.ts';
import type { PlaybackQueue } from './playback-queue.ts';
import { resolveRecordingTime } from './recording-time.ts';
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

const auditActor = 'station';

class StopIngest extends Error {
  constructor(
    readonly state: DockState,
    message: string,
  ) {
    super(message);
  }
}

interface DockContext {
  dockId: number;
  root: string;
  driver: LoadedDriver;
  deviceId: number | null;
  badge: string | null;
  clockOffsetSeconds: number | null;
  bytesTotal: number;
  bytesDone: number;
  filesDone: number;
  signal?: AbortSignal;
}

/** Takes every new recording off one source: copy with hash, place, read back, ledger row, playback check. */
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
    const { db, clock, events, config } = this.deps;
    updateDock(db, report.dockId, { state: 'identifying' }, clock.now());
    const scan = await this.scan(request.sourceRoot);
    report.skipped.push(...scan.skipped);
    const context = await this.identify(request, scan, report);
    updateDock(
      db,
      report.dockId,
      { state: 'copying', filesTotal: scan.files.length, bytesTotal: context.bytesTotal },
      clock.now(),
    );
    events.emit('dock.state', { dockId: report.dockId, state: 'copying', detail: null });
    for (const skipped of scan.skipped) {
      saveDockFile(db, {
        dockId: report.dockId,
        sourcePath: skipped.sourcePath,
        sizeBytes: 0,
        state: 'skipped',
        reason: skipped.reason,
      });
    }
    for (const [index, file] of scan.files.entries()) {
      try {
        await this.ingestFile(file, context, report);
      } catch (error) {
        if (error instanceof StopIngest) {
          for (const rest of scan.files.slice(index)) {
            report.skipped.push({ sourcePath: rest.relativePath, reason: `not copied: ${error.message}` });
          }
        }
        throw error;
      }
    }
    updateDock(db, report.dockId, { state: 'verifying' }, clock.now());
    events.emit('dock.state', { dockId: report.dockId, state: 'verifying', detail: null });
    await this.deps.playback.whenIdle();
    report.recordings = report.recordings.map((recording) => refresh(db, recording));
    void config;
  }

  private async scan(sourceRoot: string): Promise<ScanResult> {
    try {
      return await scanSource(sourceRoot);
    } catch (error) {
      throw new StopIngest('failed', `cannot read source ${sourceRoot}: ${(error as Error).message}`);
    }
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
      bytesTotal: scan.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      bytesDone: 0,
      filesDone: 0,
      signal: request.signal,
    };
  }

  private async ingestFile(file: SourceFile, context: DockContext, report: IngestReport): Promise<void> {
    const { db, events } = this.deps;
    const outcome = await this.copyOne(file, context).catch((error) => this.failure(error, file, context));
    context.filesDone++;
    context.bytesDone += file.sizeBytes;
    updateDock(
      db,
      context.dockId,
      { filesDone: context.filesDone, bytesDone: context.bytesDone },
      this.deps.clock.now(),
    );
    if ('reason' in outcome) {
      report.skipped.push(outcome);
      saveDockFile(db, {
        dockId: context.dockId,
        sourcePath: file.relativePath,
        sizeBytes: file.sizeBytes,
        state: outcome.state,
        reason: outcome.reason,
        recordingId: outcome.recordingId ?? null,
      });
      events.emit('file.done', {
        dockId: context.dockId,
        sourcePath: file.relativePath,
        recordingId: outcome.recordingId ?? null,
        outcome: outcome.state,
        reason: outcome.reason,
      });
      return;
    }
    report.recordings.push(outcome);
    const state = outcome.duplicateOf ? 'duplicate' : 'done';
    saveDockFile(db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state,
      bytesDone: file.sizeBytes,
      recordingId: outcome.id,
    });
    events.emit('file.done', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      recordingId: outcome.id,
      outcome: state,
      reason: null,
    });
  }

  private async copyOne(file: SourceFile, context: DockContext): Promise<Recording | Outcome> {
    const { db, archive, config, clock } = this.deps;
    const sourceMtime = file.mtime.toISOString();
    const known = findKnownSourceFile(db, {
      deviceId: context.deviceId,
      sourcePath: file.relativePath,
      sourceSize: file.sizeBytes,
      sourceMtime,
    });
    if (known) {
      return {
        sourcePath: file.relativePath,
        reason: `already archived as recording #${known.duplicateOf ?? known.id}`,
        state: 'known',
        recordingId: known.duplicateOf ?? known.id,
      };
    }
    try {
      await archive.ensureRoomFor(file.sizeBytes, config.archive.minFreeBytes);
    } catch (error) {
      throw new StopIngest('failed', (error as Error).message);
    }
    saveDockFile(db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state: 'copying',
    });
    const copy = await archive.copyIn(file.absolutePath, {
      chunkBytes: config.ingest.copyChunkBytes,
      signal: context.signal,
      onProgress: throttle((bytesDone) => this.progress(context, file, bytesDone)),
    });
    const copiedAt = clock.now();
    const afterCopy = await lstat(file.absolutePath).catch(() => null);
    if (!afterCopy || afterCopy.size !== copy.bytes || copy.bytes !== file.sizeBytes) {
      await archive.discard(copy.partialPath);
      throw new SourceGoneError(
        `source changed or vanished while copying (${copy.bytes} of ${file.sizeBytes} bytes read)`,
      );
    }
    const original = findOriginalBySha256(db, copy.sha256);
    if (original) {
      await archive.discard(copy.partialPath);
      return this.recordDuplicate(file, context, copy.sha256, original, copiedAt);
    }
    const probed = await probe(copy.partialPath, { timeoutMs: config.ingest.probeTimeoutSeconds * 1000 });
    const fields = parseFileName(context.driver.templates, path.basename(file.relativePath));
    const time = resolveRecordingTime(
      {
        nameStart: fields?.start ?? null,
        containerCreationTime: probed.creationTime,
        containerZone: context.driver.creationTime,
        fileSystemTime: file.mtime,
        durationSeconds: file.kind === 'photo' ? 0 : probed.durationSeconds,
        clockOffsetSeconds: context.clockOffsetSeconds,
      },
      {
        zone: config.station.timezone,
        now: clock.now(),
        toleranceSeconds: config.ingest.clockToleranceSeconds,
        maxFutureSeconds: config.ingest.maxFutureSeconds,
      },
    );
    const officer = this.resolveOfficer(context, time.start, fields?.badge ?? null);
    const localDate = localDateIn(time.start, config.station.timezone);
    try {
      const archivePath = await archive.place(copy.partialPath, {
        localDate,
        badge: officer.badge,
        fileName: path.basename(file.relativePath),
      });
      await archive.readBack(archivePath, copy.sha256);
      const now = clock.now();
      const recording: NewRecording = {
        dockId: context.dockId,
        deviceId: context.deviceId,
        sourcePath: file.relativePath,
        sourceSize: file.sizeBytes,
        sourceMtime,
        sizeBytes: copy.bytes,
        sha256: copy.sha256,
        duplicateOf: null,
        archivePath,
        kind: file.kind,
        start: isoInZone(time.start, config.station.timezone),
        end: isoInZone(time.end, config.station.timezone),
        startMs: time.start.getTime(),
        endMs: time.end.getTime(),
        startSource: time.startSource,
        clockOffsetSeconds: time.clockOffsetSeconds,
        timeFlags: time.flags,
        durationSeconds: file.kind === 'photo' ? 0 : probed.durationSeconds,
        date: localDate,
        officerId: officer.officerId,
        badge: officer.badge,
        officerName: officer.officerName,
        ingestedAt: now.toISOString(),
        late: now.getTime() - time.end.getTime() > config.ingest.lateAfterHours * 3600_000,
        copiedAt: copiedAt.toISOString(),
        verifiedAt: now.toISOString(),
      };
      const saved = db.transaction(() => {
        const inserted = insertRecording(db, recording);
        archive.finishJournal(copy.partialPath);
        appendAudit(
          db,
          {
            actor: auditActor,
            action: 'ingest',
            subjectType: 'recording',
            subjectId: inserted.id,
            detail: {
              sha256: inserted.sha256,
              archivePath,
              sourcePath: file.relativePath,
              dockId: context.dockId,
              seal: sealRecording(inserted),
            },
          },
          now,
        );
        return inserted;
      })();
      void this.deps.playback.enqueue(saved, probed);
      return saved;
    } catch (error) {
      await archive.discard(copy.partialPath);
      if (isUniqueViolation(error)) {
        // Another dock archived the same content a moment earlier: the database decided.
        const winner = findOriginalBySha256(db, copy.sha256)!;
        return this.recordDuplicate(file, context, copy.sha256, winner, copiedAt);
      }
      throw error;
    }
  }

  private recordDuplicate(
    file: SourceFile,
    context: DockContext,
    sha256: string,
    original: Recording,
    copiedAt: Date,
  ): Recording {
    const { db, clock } = this.deps;
    const now = clock.now();
    return db.transaction(() => {
      const duplicate = insertRecording(db, {
        ...pickTimes(original),
        dockId: context.dockId,
        deviceId: context.deviceId,
        sourcePath: file.relativePath,
        sourceSize: file.sizeBytes,
        sourceMtime: file.mtime.toISOString(),
        sizeBytes: file.sizeBytes,
        sha256,
        duplicateOf: original.id,
        archivePath: null,
        kind: file.kind,
        officerId: original.officerId,
        badge: original.badge,
        officerName: original.officerName,
        ingestedAt: now.toISOString(),
        late: original.late,
        copiedAt: copiedAt.toISOString(),
        verifiedAt: now.toISOString(),
      });
      appendAudit(
        db,
        {
          actor: auditActor,
          action: 'duplicate',
          subjectType: 'recording',
          subjectId: duplicate.id,
          detail: {
            duplicateOf: original.id,
            sha256,
            sourcePath: file.relativePath,
            dockId: context.dockId,
            seal: sealRecording(duplicate),
          },
        },
        now,
      );
      return duplicate;
    })();
  }

  private resolveOfficer(context: DockContext, start: Date, nameBadge: string | null) {
    const { db } = this.deps;
    const explicit = context.badge ? findOfficerByBadge(db, context.badge) : null;
    const holder = !explicit && context.deviceId ? holderAt(db, context.deviceId, start) : null;
    const named = !explicit && !holder && nameBadge ? findOfficerByBadge(db, nameBadge) : null;
    const officer = explicit ?? holder ?? named;
    return {
      officerId: officer?.id ?? null,
      badge: officer?.badge ?? context.badge ?? nameBadge,
      officerName: officer?.name ?? null,
    };
  }

  private progress(context: DockContext, file: SourceFile, bytesDone: number): void {
    const dockBytesDone = context.bytesDone + bytesDone;
    updateDock(this.deps.db, context.dockId, { bytesDone: dockBytesDone }, this.deps.clock.now());
    this.deps.events.emit('file.progress', {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      bytesDone,
      sizeBytes: file.sizeBytes,
      dockBytesDone,
      dockBytesTotal: context.bytesTotal,
    });
  }

  /** Turns a per-file error into a skipped entry, or stops the whole dock when the cause is global. */
  private async failure(error: unknown, file: SourceFile, context: DockContext): Promise<Outcome> {
    if (error instanceof StopIngest) throw error;
    if (error instanceof DiskFullError) throw new StopIngest('failed', error.message);
    if ((error as Error).name === 'AbortError')
      throw new StopIngest('interrupted', 'station is shutting down');
    // The dock manager aborts with a SourceGoneError when the volume leaves the mount table; a lazily
    // unmounted mount point still lists (empty), so the folder test alone cannot tell.
    const removalSignalled = context.signal?.reason instanceof SourceGoneError;
    if (error instanceof SourceGoneError && (removalSignalled || !(await stillThere(context.root)))) {
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

interface Outcome extends SkippedFile {
  state: 'known' | 'failed' | 'skipped';
  recordingId?: number;
}

function pickTimes(original: Recording) {
  return {
    start: original.start,
    end: original.end,
    startMs: original.startMs,
    endMs: original.endMs,
    startSource: original.startSource,
    clockOffsetSeconds: original.clockOffsetSeconds,
    timeFlags: original.timeFlags,
    durationSeconds: original.durationSeconds,
    date: original.date,
  };
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

async function stillThere(root: string): Promise<boolean> {
  try {
    await readdir(root);
    return true;
  } catch {
    return false;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
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

// Progress callbacks fire per chunk; the ledger and the dashboard need a few updates a second at most.
function throttle(callback: (bytesDone: number) => void, intervalMs = 250): (bytesDone: number) => void {
  let last = 0;
  return (bytesDone) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    callback(bytesDone);
  };
}
