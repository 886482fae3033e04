import { fixedOffsetMinutes, formatOffset, machineTime } from '../time/zone.ts';
import { playbackStatus, playbackStatusSql } from './playback-status.ts';
import type { Recording } from './recordings.ts';

/**
 * The stable JSON shape of a ledger entry, shared by the CLI's --json and the HTTP API. Times are
 * ISO 8601 with the station's offset; `playback` is the status people see (the machine check unless
 * the clerk found otherwise), `playbackCheck` the machine's own result.
 */
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
  playbackCheck: string;
  late: boolean;
  duplicateOf: number | null;
  device: string | null;
  timeFlags: string[];
  confirmedAt: string | null;
  confirmedBy: string | null;
  notPlayingAt: string | null;
  notPlayingBy: string | null;
  notPlayingNote: string | null;
}

export function publicRecording(
  recording: Recording,
  zone: string,
  original?: Recording | null,
): PublicRecording {
  // A duplicate has no copy of its own: its file and playback are the original's.
  const played = original ?? recording;
  return {
    id: recording.id,
    sourcePath: recording.sourcePath,
    archivePath: recording.archivePath ?? original?.archivePath ?? null,
    sha256: recording.sha256,
    sizeBytes: recording.sizeBytes,
    kind: recording.kind,
    start: machineTime(recording.start, zone),
    end: machineTime(recording.end, zone),
    durationSeconds: recording.durationSeconds,
    startSource: recording.startSource,
    date: recording.date,
    badge: recording.badge,
    officerName: recording.officerName,
    playback: playbackStatus(played),
    playbackCheck: played.playback,
    late: recording.late,
    duplicateOf: recording.duplicateOf,
    device: recording.deviceSerial,
    timeFlags: recording.timeFlags,
    confirmedAt: machineTime(recording.confirmedAt, zone),
    confirmedBy: recording.confirmedBy,
    notPlayingAt: machineTime(played.notPlayingAt, zone),
    notPlayingBy: played.notPlayingBy,
    notPlayingNote: played.notPlayingNote,
  };
}

/** A stored UTC instant as `machineTime` writes it, in SQL, for a zone with a fixed offset. */
function machineTimeSql(column: string, offsetMinutes: number): string {
  return `CASE WHEN ${column} IS NULL THEN NULL
    ELSE strftime('%Y-%m-%dT%H:%M:%S', ${column}, '${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes} minutes') || '${formatOffset(offsetMinutes)}' END`;
}

/**
 * `publicRecording` as an SQL expression over `recordings r LEFT JOIN devices d`, so that a list of
 * them is JSON text straight from SQLite: for fifty rows that is a quarter of the cost of building
 * JavaScript objects and serialising them again. Only for rows that are not duplicates (a duplicate's
 * archive path and playback are its original's), and only for a zone whose offset never changes
 * (null otherwise: SQLite knows no zones). Whole durations are written as integers (5, not SQLite's
 * 5.0), as JSON.stringify writes them. `json('true')` and the like are constants, worked out once
 * per query rather than parsed for each row. A test holds the two to the same output.
 */
export function publicRecordingJson(zone: string): string | null {
  const offset = fixedOffsetMinutes(zone);
  if (offset === null) return null;
  const time = (column: string) => machineTimeSql(column, offset);
  return `json_object(
  'id', r.id, 'sourcePath', r.source_path, 'archivePath', r.archive_path, 'sha256', r.sha256,
  'sizeBytes', r.size_bytes, 'kind', r.kind, 'start', ${time('r.start_time')}, 'end', ${time('r.end_time')},
  'durationSeconds', CASE WHEN r.duration_seconds = CAST(r.duration_seconds AS INTEGER)
    THEN CAST(r.duration_seconds AS INTEGER) ELSE r.duration_seconds END, 'startSource', r.start_source, 'date', r.local_date,
  'badge', r.badge, 'officerName', r.officer_name, 'playback', ${playbackStatusSql}, 'playbackCheck', r.playback,
  'late', CASE WHEN r.late = 1 THEN json('true') ELSE json('false') END, 'duplicateOf', r.duplicate_of,
  'device', d.serial, 'timeFlags', CASE WHEN r.time_flags IN ('', '[]') THEN json('[]') ELSE json(r.time_flags) END,
  'confirmedAt', ${time('r.confirmed_at')}, 'confirmedBy', r.confirmed_by, 'notPlayingAt', ${time('r.not_playing_at')},
  'notPlayingBy', r.not_playing_by, 'notPlayingNote', r.not_playing_note)`;
}
