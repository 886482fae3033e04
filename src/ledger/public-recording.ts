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
