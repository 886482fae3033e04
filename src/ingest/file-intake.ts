import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Archive, PartialCopy } from '../archive/archive.ts';
import { SourceGoneError } from '../archive/copy-file.ts';
import type { StationConfig } from '../config/config.ts';
import { appendAudit } from '../custody/audit-log.ts';
import { sealRecording } from '../custody/recording-seal.ts';
import type { DockReason, DockState, StageHook } from '../dock/dock-session.ts';
import { parseFileName } from '../drivers/file-name-template.ts';
import type { LoadedDriver } from '../drivers/registry.ts';
import type { EventBus } from '../events/event-bus.ts';
import { type Db, withoutWaitingForDisk, writeDurably } from '../ledger/database.ts';
import { holderAt } from '../ledger/devices.ts';
import { saveDockFile } from '../ledger/docks.ts';
import { findOfficerByBadge } from '../ledger/officers.ts';
import {
  findKnownSourceFile,
  findOriginalBySha256,
  insertRecording,
  type NewRecording,
  type Recording,
} from '../ledger/recordings.ts';
import { type ProbeResult, probe } from '../media/probe.ts';
import type { Clock } from '../time/clock.ts';
import { isoInZone, localDateIn } from '../time/zone.ts';
import { fileNote } from './file-notes.ts';
import type { PlaybackQueue } from './playback-queue.ts';
import { type RecordingTime, resolveRecordingTime } from './recording-time.ts';
import type { SkippedFile, SourceFile } from './scan.ts';

// The audit actor of everything the station does by itself.
const auditActor = 'station';

export interface IntakeDeps {
  db: Db;
  archive: Archive;
  config: StationConfig;
  clock: Clock;
  events: EventBus;
  playback: PlaybackQueue;
}

/** What one dock knows while it works through its files. */
export interface DockContext {
  dockId: number;
  root: string;
  driver: LoadedDriver;
  deviceId: number | null;
  badge: string | null;
  clockOffsetSeconds: number | null;
  bytesTotal: number;
  bytesDone: number;
  filesDone: number;
  /** st_dev of the root at the start: an unmounted mount point is a different file system. */
  rootDevice: number | null;
  signal?: AbortSignal;
  /** The fault tests' stage hook (dock-session.ts). */
  atStage?: StageHook;
}

/** Ends the whole dock, not just one file (full disk, recorder gone, shutdown). */
export class StopIngest extends Error {
  constructor(
    readonly state: DockState,
    readonly reason: DockReason,
    message: string,
  ) {
    super(message);
  }
}

/** Another process (a CLI command, a backup) holds the ledger's write lock longer than the busy timeout. */
export function isLedgerBusy(error: unknown): boolean {
  // DOMException (an abort) has a numeric code.
  const code = String((error as { code?: unknown }).code ?? '');
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
}

/** A file not archived this time, with why. */
export interface Outcome extends SkippedFile {
  state: 'known' | 'failed' | 'skipped';
  recordingId?: number;
}

/** A source copied into `.partial/` and hashed, waiting to be verified. */
export interface CopiedFile {
  file: SourceFile;
  copy: PartialCopy;
  copiedAt: Date;
}

/** Content the archive already holds: no second copy, a row that points at the original. */
export interface DuplicateFile {
  file: SourceFile;
  sha256: string;
  original: Recording;
  copiedAt: Date;
}

/** A copy placed under its final name and read back from the disk, waiting for its ledger row. */
export interface VerifiedFile extends CopiedFile {
  archivePath: string;
  localDate: string | null;
  probed: ProbeResult;
  time: RecordingTime;
  officer: { officerId: number | null; badge: string | null; officerName: string | null };
  verifiedAt: Date;
}

export type CopyStageResult = Outcome | DuplicateFile | CopiedFile;

export function isCopiedFile(result: CopyStageResult | VerifiedFile): result is CopiedFile {
  return 'copy' in result && !('archivePath' in result);
}

export function isVerifiedFile(result: CopyStageResult | VerifiedFile): result is VerifiedFile {
  return 'archivePath' in result;
}

/**
 * Stage one, the only one that reads the recorder: skip what this recorder already gave us, check
 * space, copy with hash, make sure the source held still, catch content the archive already holds.
 */
export async function copyStage(
  file: SourceFile,
  context: DockContext,
  deps: IntakeDeps,
  onProgress: (bytesDone: number) => void,
): Promise<CopyStageResult> {
  const { db, archive, config, clock } = deps;
  const sourceMtime = file.mtime.toISOString();
  const known = findKnownSourceFile(db, {
    deviceId: context.deviceId,
    sourcePath: file.relativePath,
    sourceSize: file.sizeBytes,
    sourceMtime,
  });
  if (known) {
    const recordingId = known.duplicateOf ?? known.id;
    return {
      sourcePath: file.relativePath,
      reason: `already archived as recording #${recordingId}`,
      note: fileNote('already-archived', { id: recordingId }),
      state: 'known',
      recordingId,
    };
  }
  try {
    await archive.ensureRoomFor(file.sizeBytes, config.archive.minFreeBytes);
  } catch (error) {
    throw new StopIngest('failed', 'archive-full', (error as Error).message);
  }
  withoutWaitingForDisk(db, () =>
    saveDockFile(db, {
      dockId: context.dockId,
      sourcePath: file.relativePath,
      sizeBytes: file.sizeBytes,
      state: 'copying',
    }),
  );
  let copyStarted = false;
  const copy = await archive.copyIn(file.absolutePath, {
    chunkBytes: config.ingest.copyChunkBytes,
    signal: context.signal,
    onProgress: (bytesDone) => {
      onProgress(bytesDone);
      if (copyStarted) return;
      copyStarted = true;
      // The first chunk waits for the stage hook, so a fault injected there lands mid-file.
      return context.atStage?.('copy', { dockId: context.dockId, sourcePath: file.relativePath });
    },
  });
  const copiedAt = clock.now();
  const afterCopy = await lstat(file.absolutePath).catch(() => null);
  if (!afterCopy || afterCopy.size !== copy.bytes || copy.bytes !== file.sizeBytes) {
    await archive.discard(copy.partialPath);
    throw new SourceGoneError(
      `source changed or vanished while copying (${copy.bytes} of ${file.sizeBytes} bytes read)`,
    );
  }
  try {
    await context.atStage?.('copied', { dockId: context.dockId, sourcePath: file.relativePath });
  } catch (error) {
    await archive.discard(copy.partialPath);
    throw error;
  }
  const original = findOriginalBySha256(db, copy.sha256);
  if (original) {
    await archive.discard(copy.partialPath);
    return { file, sha256: copy.sha256, original, copiedAt };
  }
  return { file, copy, copiedAt };
}

/**
 * Stage two, on the archive only, while the recorder's next file is being copied: probe the copy and
 * place it in time, flush it and move it to its final name, read it back from the disk.
 */
export async function verifyStage(
  copied: CopiedFile,
  context: DockContext,
  deps: IntakeDeps,
): Promise<VerifiedFile> {
  const { db, archive, config, clock } = deps;
  const { file, copy } = copied;
  try {
    const probed = await probe(copy.partialPath, { timeoutMs: config.ingest.probeTimeoutSeconds * 1000 });
    const fields = parseFileName(context.driver.templates, path.basename(file.relativePath));
    const time = resolveRecordingTime(
      {
        nameStart: fields?.start ?? null,
        containerCreationTime: probed.creationTime,
        containerZone: context.driver.creationTime,
        fileSystemTime: file.mtime,
        fileSystemZone: context.driver.fileSystemTime ?? 'utc',
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
    const officer = resolveOfficer(db, context, time.start, fields?.badge ?? null);
    const localDate = localDateIn(time.start, config.station.timezone);
    const archivePath = await archive.place(copy.partialPath, {
      localDate,
      badge: officer.badge,
      fileName: path.basename(file.relativePath),
    });
    await context.atStage?.('read-back', { dockId: context.dockId, sourcePath: file.relativePath });
    await archive.readBack(archivePath, copy.sha256);
    return { ...copied, archivePath, localDate, probed, time, officer, verifiedAt: clock.now() };
  } catch (error) {
    await archive.discard(copy.partialPath);
    throw error;
  }
}

/**
 * Stage three, in the recorder's file order: the ledger row and its audit entry in one transaction,
 * then the playback check is queued. Content another dock archived a moment earlier becomes a
 * duplicate row: the database decided.
 */
export async function recordStage(
  staged: VerifiedFile | DuplicateFile,
  context: DockContext,
  deps: IntakeDeps,
): Promise<Recording> {
  if (!isVerifiedFile(staged))
    return recordDuplicate(staged.file, context, deps, staged.sha256, staged.original, staged.copiedAt);
  const { db, archive, config, clock } = deps;
  const { file, copy, time, officer, probed, archivePath, localDate } = staged;
  const zone = config.station.timezone;
  try {
    const now = clock.now();
    const durationSeconds = file.kind === 'photo' ? 0 : probed.durationSeconds;
    const recording: NewRecording = {
      dockId: context.dockId,
      deviceId: context.deviceId,
      sourcePath: file.relativePath,
      sourceSize: file.sizeBytes,
      sourceMtime: file.mtime.toISOString(),
      sizeBytes: copy.bytes,
      sha256: copy.sha256,
      duplicateOf: null,
      archivePath,
      kind: file.kind,
      start: isoInZone(time.start, zone),
      end: isoInZone(time.end, zone),
      startMs: time.start.getTime(),
      endMs: time.end.getTime(),
      startSource: time.startSource,
      clockOffsetSeconds: time.clockOffsetSeconds,
      timeFlags: time.flags,
      durationSeconds,
      date: localDate,
      ...officer,
      ingestedAt: now.toISOString(),
      late: now.getTime() - time.end.getTime() > config.ingest.lateAfterHours * 3600_000,
      copiedAt: staged.copiedAt.toISOString(),
      verifiedAt: staged.verifiedAt.toISOString(),
    };
    const saved = await writeDurably(db, () =>
      db
        .transaction(() => {
          const inserted = insertRecording(db, recording);
          archive.finishJournal(copy.partialPath);
          auditIntake(db, 'ingest', inserted, context, { archivePath }, now);
          return inserted;
        })
        .immediate(),
    );
    void deps.playback.enqueue(saved, probed);
    return saved;
  } catch (error) {
    await archive.discard(copy.partialPath);
    if (isUniqueViolation(error)) {
      const winner = findOriginalBySha256(db, copy.sha256)!;
      return recordDuplicate(file, context, deps, copy.sha256, winner, staged.copiedAt);
    }
    throw error;
  }
}

/** A second sighting of archived content: a row that points at the original, no second copy. */
function recordDuplicate(
  file: SourceFile,
  context: DockContext,
  deps: IntakeDeps,
  sha256: string,
  original: Recording,
  copiedAt: Date,
): Promise<Recording> {
  const { db, clock } = deps;
  const now = clock.now();
  return writeDurably(db, () =>
    db
      .transaction(() => {
        const duplicate = insertRecording(db, {
          ...timesOf(original),
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
        auditIntake(db, 'duplicate', duplicate, context, { duplicateOf: original.id }, now);
        return duplicate;
      })
      .immediate(),
  );
}

/** The audit entry of a new row, carrying its seal so that a later edit of the row shows. */
function auditIntake(
  db: Db,
  action: 'ingest' | 'duplicate',
  recording: Recording,
  context: DockContext,
  extra: Record<string, unknown>,
  now: Date,
): void {
  const detail = {
    sha256: recording.sha256,
    ...extra,
    sourcePath: recording.sourcePath,
    dockId: context.dockId,
    seal: sealRecording(recording),
  };
  appendAudit(
    db,
    { actor: auditActor, action, subjectType: 'recording', subjectId: recording.id, detail },
    now,
  );
}

/** The operator's word first, then who held the recorder at that moment, then the badge in the name. */
function resolveOfficer(db: Db, context: DockContext, start: Date, nameBadge: string | null) {
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

function timesOf(original: Recording) {
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

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
