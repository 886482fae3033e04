import type { StartSource } from '../ledger/recordings.ts';
import { instantOfWallTime, type WallTime } from '../time/zone.ts';

export interface TimeEvidence {
  /** Local wall time read from the file name (the recorder's clock, no zone). */
  nameStart: WallTime | null;
  /** Raw MP4/MOV creation_time tag as ffprobe prints it. */
  containerCreationTime: string | null;
  /** How the family writes creation_time: true UTC, or its local wall time marked as UTC. */
  containerZone: 'utc' | 'local';
  /** File system modification time: when the recorder last wrote the file, i.e. its end. */
  fileSystemTime: Date;
  /**
   * How the family's file system times read once mounted: 'utc' trusts the kernel; 'local' means the
   * recorder wrote its wall time into FAT, which carries no zone, and the kernel read it as UTC.
   */
  fileSystemZone: 'utc' | 'local';
  durationSeconds: number | null;
  /** Recorder clock minus station clock, measured at dock; recorded times are corrected by it. */
  clockOffsetSeconds: number | null;
}

export interface TimePolicy {
  zone: string;
  now: Date;
  toleranceSeconds: number;
  maxFutureSeconds: number;
}

export interface RecordingTime {
  start: Date;
  end: Date;
  startSource: StartSource;
  clockOffsetSeconds: number | null;
  flags: string[];
}

// Before this no recorder of ours existed; such dates come from clocks reset by a flat battery.
const earliestPlausible = Date.UTC(2005, 0, 1);

/**
 * Picks the start time from the best evidence: the file name (what the recorder showed), then the
 * container's creation_time, then the file system time (the end of writing, so start = end - duration).
 * Each source that is missing or implausible falls through to the next, leaving a flag behind.
 */
export function resolveRecordingTime(evidence: TimeEvidence, policy: TimePolicy): RecordingTime {
  const flags: string[] = [];
  const durationMs = Math.max(0, (evidence.durationSeconds ?? 0) * 1000);
  const offsetMs = (evidence.clockOffsetSeconds ?? 0) * 1000;
  const corrected = (instant: Date) => new Date(instant.getTime() - offsetMs);

  let start: Date | null = null;
  let startSource: StartSource = 'file-system';
  if (evidence.nameStart) {
    start = corrected(instantOfWallTime(evidence.nameStart, policy.zone));
    startSource = 'file-name';
  } else {
    const container = containerStart(evidence.containerCreationTime, evidence.containerZone, policy.zone);
    if (container && container.getTime() >= earliestPlausible) {
      start = corrected(container);
      startSource = 'container';
    } else if (container) {
      flags.push('container-time-implausible');
    }
  }
  const fileSystemAsLocal = utcDigitsAsWallTime(evidence.fileSystemTime, policy.zone);
  const fileSystemEnd = corrected(
    evidence.fileSystemZone === 'local' ? fileSystemAsLocal : evidence.fileSystemTime,
  );
  if (!start) start = new Date(fileSystemEnd.getTime() - durationMs);
  const end = new Date(start.getTime() + durationMs);
  const near = (instant: Date) =>
    Math.abs(end.getTime() - instant.getTime()) <= policy.toleranceSeconds * 1000;

  if (start.getTime() < earliestPlausible) flags.push('clock-reset');
  if (start.getTime() > policy.now.getTime() + policy.maxFutureSeconds * 1000) flags.push('in-future');
  if (startSource !== 'file-system' && !near(fileSystemEnd)) {
    // A FAT time written as local and read as UTC is off by exactly the zone's offset: a known habit
    // of the recorder, not a doubtful time.
    const localHabit = evidence.fileSystemZone === 'utc' && near(corrected(fileSystemAsLocal));
    flags.push(localHabit ? 'file-system-time-local' : 'far-from-file-system-time');
  }
  if (evidence.clockOffsetSeconds) flags.push('clock-corrected');
  return { start, end, startSource, clockOffsetSeconds: evidence.clockOffsetSeconds, flags };
}

function containerStart(raw: string | null, containerZone: 'utc' | 'local', zone: string): Date | null {
  if (!raw) return null;
  const parsed = new Date(raw);
  if (Number.isNaN(parsed.getTime())) return null;
  // The recorder wrote its local wall time into a field that claims UTC: read the digits as local.
  return containerZone === 'utc' ? parsed : utcDigitsAsWallTime(parsed, zone);
}

/** The instant whose wall time in `zone` has the digits that `instant` has in UTC. */
function utcDigitsAsWallTime(instant: Date, zone: string): Date {
  return instantOfWallTime(
    {
      year: instant.getUTCFullYear(),
      month: instant.getUTCMonth() + 1,
      day: instant.getUTCDate(),
      hour: instant.getUTCHours(),
      minute: instant.getUTCMinutes(),
      second: instant.getUTCSeconds(),
    },
    zone,
  );
}
