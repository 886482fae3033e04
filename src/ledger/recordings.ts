import { writeSealedFields } from '../custody/ledger-mutator.ts';
import type { MediaKind } from '../media/media-kind.ts';
import type { PlaybackReport, PlaybackStatus } from '../media/playback-check.ts';
import type { Db } from './database.ts';

export type StartSource = 'file-name' | 'container' | 'file-system';

export interface Recording {
  id: number;
  dockId: number | null;
  deviceId: number | null;
  deviceSerial: string | null;
  sourcePath: string;
  sourceSize: number;
  sourceMtime: string | null;
  sizeBytes: number;
  sha256: string;
  duplicateOf: number | null;
  archivePath: string | null;
  kind: MediaKind;
  start: string | null;
  end: string | null;
  startMs: number | null;
  endMs: number | null;
  startSource: StartSource | null;
  clockOffsetSeconds: number | null;
  timeFlags: string[];
  durationSeconds: number | null;
  date: string | null;
  officerId: number | null;
  badge: string | null;
  officerName: string | null;
  playback: PlaybackStatus | 'pending';
  playbackDetail: PlaybackReport | null;
  ingestedAt: string;
  late: boolean;
  copiedAt: string | null;
  verifiedAt: string | null;
  probedAt: string | null;
  confirmedAt: string | null;
  confirmedBy: string | null;
  /** The clerk's decision that it does not play back, overruling the machine check (see playback-status.ts). */
  notPlayingAt: string | null;
  notPlayingBy: string | null;
  notPlayingNote: string | null;
}

export type NewRecording = Omit<
  Recording,
  | 'id'
  | 'deviceSerial'
  | 'playback'
  | 'playbackDetail'
  | 'probedAt'
  | 'confirmedAt'
  | 'confirmedBy'
  | 'notPlayingAt'
  | 'notPlayingBy'
  | 'notPlayingNote'
>;

interface RecordingRow {
  [column: string]: unknown;
}

const selectRecording = `SELECT r.*, d.serial AS device_serial FROM recordings r LEFT JOIN devices d ON d.id = r.device_id`;

export function toRecording(row: RecordingRow): Recording {
  return {
    id: row.id as number,
    dockId: row.dock_id as number | null,
    deviceId: row.device_id as number | null,
    deviceSerial: (row.device_serial as string | null) ?? null,
    sourcePath: row.source_path as string,
    sourceSize: row.source_size as number,
    sourceMtime: row.source_mtime as string | null,
    sizeBytes: row.size_bytes as number,
    sha256: row.sha256 as string,
    duplicateOf: row.duplicate_of as number | null,
    archivePath: row.archive_path as string | null,
    kind: row.kind as MediaKind,
    start: row.start_time as string | null,
    end: row.end_time as string | null,
    startMs: row.start_ms as number | null,
    endMs: row.end_ms as number | null,
    startSource: row.start_source as StartSource | null,
    clockOffsetSeconds: row.clock_offset_seconds as number | null,
    timeFlags: JSON.parse((row.time_flags as string) || '[]'),
    durationSeconds: row.duration_seconds as number | null,
    date: row.local_date as string | null,
    officerId: row.officer_id as number | null,
    badge: row.badge as string | null,
    officerName: row.officer_name as string | null,
    playback: row.playback as Recording['playback'],
    playbackDetail: row.playback_detail ? JSON.parse(row.playback_detail as string) : null,
    ingestedAt: row.ingested_at as string,
    late: row.late === 1,
    copiedAt: row.copied_at as string | null,
    verifiedAt: row.verified_at as string | null,
    probedAt: row.probed_at as string | null,
    confirmedAt: row.confirmed_at as string | null,
    confirmedBy: row.confirmed_by as string | null,
    notPlayingAt: (row.not_playing_at as string | null) ?? null,
    notPlayingBy: (row.not_playing_by as string | null) ?? null,
    notPlayingNote: (row.not_playing_note as string | null) ?? null,
  };
}

export function insertRecording(db: Db, recording: NewRecording): Recording {
  const result = db
    .prepare(
      `INSERT INTO recordings (dock_id, device_id, source_path, source_size, source_mtime, size_bytes, sha256,
         duplicate_of, archive_path, kind, start_time, end_time, start_ms, end_ms, start_source,
         clock_offset_seconds, time_flags, duration_seconds, local_date, officer_id, badge, officer_name,
         ingested_at, late, copied_at, verified_at)
       VALUES (@dockId, @deviceId, @sourcePath, @sourceSize, @sourceMtime, @sizeBytes, @sha256,
         @duplicateOf, @archivePath, @kind, @start, @end, @startMs, @endMs, @startSource,
         @clockOffsetSeconds, @timeFlags, @durationSeconds, @date, @officerId, @badge, @officerName,
         @ingestedAt, @late, @copiedAt, @verifiedAt)`,
    )
    .run({ ...recording, timeFlags: JSON.stringify(recording.timeFlags), late: recording.late ? 1 : 0 });
  return findRecording(db, Number(result.lastInsertRowid))!;
}

export function findRecording(db: Db, id: number): Recording | null {
  const row = db.prepare(`${selectRecording} WHERE r.id = ?`).get(id) as RecordingRow | undefined;
  return row ? toRecording(row) : null;
}

/** The archived original holding this content, if any. */
export function findOriginalBySha256(db: Db, sha256: string): Recording | null {
  const row = db.prepare(`${selectRecording} WHERE r.sha256 = ? AND r.duplicate_of IS NULL`).get(sha256) as
    | RecordingRow
    | undefined;
  return row ? toRecording(row) : null;
}

/**
 * A file already taken off this source: same device (or both unknown), path, size and time.
 * Re-docking then costs no read of the recorder.
 */
export function findKnownSourceFile(
  db: Db,
  source: { deviceId: number | null; sourcePath: string; sourceSize: number; sourceMtime: string },
): Recording | null {
  const row = db
    .prepare(
      `${selectRecording} WHERE r.device_id IS ? AND r.source_path = ? AND r.source_size = ? AND r.source_mtime = ?
       ORDER BY r.id LIMIT 1`,
    )
    .get(source.deviceId, source.sourcePath, source.sourceSize, source.sourceMtime) as
    | RecordingRow
    | undefined;
  return row ? toRecording(row) : null;
}

/** The playback check's verdict is a sealed field: written, with its audit entry, by the one mutator. */
export function recordPlayback(db: Db, id: number, report: PlaybackReport, at: Date): void {
  writeSealedFields(
    db,
    id,
    { playback: report.status, probedAt: at.toISOString() },
    {
      actor: 'station',
      action: 'playback-check',
      detail: { status: report.status },
      alsoColumns: { playback_detail: JSON.stringify(report) },
    },
    at,
  );
}

/** Archived recordings whose playback check never finished (the process stopped first). */
export function recordingsAwaitingPlayback(db: Db): Recording[] {
  return (
    db
      .prepare(`${selectRecording} WHERE r.probed_at IS NULL AND r.archive_path IS NOT NULL ORDER BY r.id`)
      .all() as RecordingRow[]
  ).map(toRecording);
}

export interface LedgerFilter {
  badge?: string;
  fromDate?: string; // local date, inclusive
  toDate?: string; // local date, inclusive
  deviceSerial?: string;
  includeDuplicates?: boolean;
}

export function listRecordings(db: Db, filter: LedgerFilter = {}): Recording[] {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!filter.includeDuplicates) clauses.push('r.duplicate_of IS NULL');
  if (filter.badge) {
    clauses.push('r.badge = ?');
    params.push(filter.badge);
  }
  if (filter.fromDate) {
    clauses.push('r.local_date >= ?');
    params.push(filter.fromDate);
  }
  if (filter.toDate) {
    clauses.push('r.local_date <= ?');
    params.push(filter.toDate);
  }
  if (filter.deviceSerial) {
    clauses.push('d.serial = ?');
    params.push(filter.deviceSerial);
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  return (
    db
      .prepare(`${selectRecording} ${where} ORDER BY r.local_date, r.start_ms, r.id`)
      .all(...params) as RecordingRow[]
  ).map(toRecording);
}

/** Every archived original, for fixity checks. */
export function archivedRecordings(db: Db): Recording[] {
  return (
    db.prepare(`${selectRecording} WHERE r.archive_path IS NOT NULL ORDER BY r.id`).all() as RecordingRow[]
  ).map(toRecording);
}
