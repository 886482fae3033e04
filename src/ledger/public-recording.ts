import type { Recording } from './recordings.ts';

/** The stable JSON shape of a ledger entry, shared by the CLI's --json and the HTTP API. */
export interface PublicRecording {
  id: number;
  sourcePath: string;
  archivePath: string | null;
  sha256: string;
  sizeBytes: number;
  kind: string;
  start: string | null;
  end: string | null;
  durationSeconds: number | null;
  startSource: string | null;
  date: string | null;
  badge: string | null;
  officerName: string | null;
  playback: string;
  late: boolean;
  duplicateOf: number | null;
  device: string | null;
  timeFlags: string[];
  confirmedAt: string | null;
  confirmedBy: string | null;
}

export function publicRecording(recording: Recording, original?: Recording | null): PublicRecording {
  return {
    id: recording.id,
    sourcePath: recording.sourcePath,
    // A duplicate has no copy of its own: point at the original's.
    archivePath: recording.archivePath ?? original?.archivePath ?? null,
    sha256: recording.sha256,
    sizeBytes: recording.sizeBytes,
    kind: recording.kind,
    start: recording.start,
    end: recording.end,
    durationSeconds: recording.durationSeconds,
    startSource: recording.startSource,
    date: recording.date,
    badge: recording.badge,
    officerName: recording.officerName,
    playback: original ? original.playback : recording.playback,
    late: recording.late,
    duplicateOf: recording.duplicateOf,
    device: recording.deviceSerial,
    timeFlags: recording.timeFlags,
    confirmedAt: recording.confirmedAt,
    confirmedBy: recording.confirmedBy,
  };
}

/**
 * `publicRecording` as an SQL expression over `recordings r LEFT JOIN devices d`, so that a list of
 * them is JSON text straight from SQLite: for fifty rows that is a quarter of the cost of building
 * JavaScript objects and serialising them again. Only for rows that are not duplicates (a duplicate's
 * archive path and playback are its original's). Whole durations are written as integers (5, not
 * SQLite's 5.0), as JSON.stringify writes them. `json('true')` and the like are constants, worked
 * out once per query rather than parsed for each row. A test holds the two to the same output.
 */
export const publicRecordingJson = `json_object(
  'id', r.id, 'sourcePath', r.source_path, 'archivePath', r.archive_path, 'sha256', r.sha256,
  'sizeBytes', r.size_bytes, 'kind', r.kind, 'start', r.start_time, 'end', r.end_time,
  'durationSeconds', CASE WHEN r.duration_seconds = CAST(r.duration_seconds AS INTEGER)
    THEN CAST(r.duration_seconds AS INTEGER) ELSE r.duration_seconds END, 'startSource', r.start_source, 'date', r.local_date,
  'badge', r.badge, 'officerName', r.officer_name, 'playback', r.playback,
  'late', CASE WHEN r.late = 1 THEN json('true') ELSE json('false') END, 'duplicateOf', r.duplicate_of,
  'device', d.serial, 'timeFlags', CASE WHEN r.time_flags IN ('', '[]') THEN json('[]') ELSE json(r.time_flags) END,
  'confirmedAt', r.confirmed_at, 'confirmedBy', r.confirmed_by)`;
