import type { Db } from '../ledger/database.ts';
import {
  badPlaybackStatuses,
  type PlaybackStatusShown,
  playbackStatusSql,
} from '../ledger/playback-status.ts';
import { localDateIn } from '../time/zone.ts';
import { monthBounds } from './calendar.ts';

// Art. 30: use the records to find weak points. Per officer and month, counted over originals (a
// duplicate is the same footage docked twice) by the local date it was recorded.

/** The measures of one officer's month, in the order every report shows them. */
export const monthMeasures = [
  'recordings',
  'hours',
  'lateExports',
  'interruptions',
  'spokenReasons',
  'silentResumptions',
  'damagedRecordings',
  'unconfirmedRows',
  'recordingDays',
  'dockingDays',
  'onTimePercent',
] as const satisfies (keyof OfficerMonth)[];

export interface OfficerMonth {
  badge: string | null;
  officerName: string | null;
  recordings: number;
  hours: number;
  lateExports: number;
  interruptions: number;
  /** Art. 18: interruptions whose resumed segment starts with the officer speaking. */
  spokenReasons: number;
  /** ...and those that start without speech (a finding). */
  silentResumptions: number;
  damagedRecordings: number;
  unconfirmedRows: number;
  /** Local days with at least one recording. */
  recordingDays: number;
  /** Local days on which this officer's footage was docked. */
  dockingDays: number;
  /** Share of recordings exported within the deadline (art. 23), 0-100; null without recordings. */
  onTimePercent: number | null;
}

export interface MonthlyStatistics {
  month: string;
  officers: OfficerMonth[];
  totals: Omit<OfficerMonth, 'badge' | 'officerName' | 'onTimePercent' | 'recordingDays' | 'dockingDays'> & {
    onTimePercent: number | null;
  };
}

interface RecordingFacts {
  badge: string | null;
  officer_name: string | null;
  local_date: string | null;
  ingested_at: string;
  duration_seconds: number | null;
  late: number;
  playback: PlaybackStatusShown;
  confirmed_at: string | null;
}

interface Tally {
  badge: string | null;
  officerName: string | null;
  recordings: number;
  seconds: number;
  lateExports: number;
  interruptions: number;
  spokenReasons: number;
  silentResumptions: number;
  damagedRecordings: number;
  unconfirmedRows: number;
  recordingDays: Set<string>;
  dockingDays: Set<string>;
}

const newTally = (badge: string | null, officerName: string | null): Tally => ({
  badge,
  officerName,
  recordings: 0,
  seconds: 0,
  lateExports: 0,
  interruptions: 0,
  spokenReasons: 0,
  silentResumptions: 0,
  damagedRecordings: 0,
  unconfirmedRows: 0,
  recordingDays: new Set(),
  dockingDays: new Set(),
});

const roundHours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;
const percent = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function monthlyStatistics(db: Db, zone: string, month: string): MonthlyStatistics {
  const { first, last } = monthBounds(month);
  const tallies = new Map<string, Tally>();
  const tallyFor = (badge: string | null, officerName: string | null) => {
    const key = badge ?? '';
    const tally = tallies.get(key) ?? newTally(badge, officerName);
    if (!tally.officerName && officerName) tally.officerName = officerName;
    tallies.set(key, tally);
    return tally;
  };
  // Undated recordings count in the month they were docked.
  const rows = db
    .prepare(
      `SELECT badge, officer_name, local_date, ingested_at, duration_seconds, late, ${playbackStatusSql} AS playback,
         confirmed_at FROM recordings r WHERE duplicate_of IS NULL AND (local_date BETWEEN ? AND ? OR local_date IS NULL)`,
    )
    .all(first, last) as RecordingFacts[];
  for (const row of rows) {
    const dockedOn = localDateIn(new Date(row.ingested_at), zone);
    const recordedOn = row.local_date ?? dockedOn;
    if (recordedOn < first || recordedOn > last) continue;
    const tally = tallyFor(row.badge, row.officer_name);
    tally.recordings++;
    tally.seconds += row.duration_seconds ?? 0;
    tally.lateExports += row.late;
    // As people see it: what the clerk found not to play back counts, whatever the machine said.
    if (badPlaybackStatuses.includes(row.playback)) tally.damagedRecordings++;
    if (!row.confirmed_at) tally.unconfirmedRows++;
    tally.recordingDays.add(recordedOn);
    tally.dockingDays.add(dockedOn);
  }
  if (hasTable(db, 'interruptions')) {
    const spoken = hasTable(db, 'spoken_reasons');
    const gaps = db
      .prepare(
        spoken
          ? `SELECT i.badge, i.gap_start, s.state FROM interruptions i
             LEFT JOIN spoken_reasons s ON s.interruption_id = i.id`
          : 'SELECT badge, gap_start, NULL AS state FROM interruptions',
      )
      .all() as { badge: string | null; gap_start: string; state: string | null }[];
    for (const gap of gaps) {
      const on = localDateIn(new Date(gap.gap_start), zone);
      if (on < first || on > last) continue;
      const tally = tallyFor(gap.badge, null);
      tally.interruptions++;
      if (gap.state === 'detected') tally.spokenReasons++;
      if (gap.state === 'absent') tally.silentResumptions++;
    }
  }
  const officers = [...tallies.values()]
    .map(
      (tally): OfficerMonth => ({
        badge: tally.badge,
        officerName: tally.officerName,
        recordings: tally.recordings,
        hours: roundHours(tally.seconds),
        lateExports: tally.lateExports,
        interruptions: tally.interruptions,
        spokenReasons: tally.spokenReasons,
        silentResumptions: tally.silentResumptions,
        damagedRecordings: tally.damagedRecordings,
        unconfirmedRows: tally.unconfirmedRows,
        recordingDays: tally.recordingDays.size,
        dockingDays: tally.dockingDays.size,
        onTimePercent: percent(tally.recordings - tally.lateExports, tally.recordings),
      }),
    )
    // Unassigned footage last: it is the row ops must clear up, not an officer.
    .sort((a, b) => (a.badge === null ? 1 : b.badge === null ? -1 : a.badge.localeCompare(b.badge)));
  const sum = (pick: (officer: OfficerMonth) => number) =>
    officers.reduce((total, officer) => total + pick(officer), 0);
  const recordings = sum((officer) => officer.recordings);
  const lateExports = sum((officer) => officer.lateExports);
  return {
    month,
    officers,
    totals: {
      recordings,
      hours: Math.round(sum((officer) => officer.hours) * 100) / 100,
      lateExports,
      interruptions: sum((officer) => officer.interruptions),
      spokenReasons: sum((officer) => officer.spokenReasons),
      silentResumptions: sum((officer) => officer.silentResumptions),
      damagedRecordings: sum((officer) => officer.damagedRecordings),
      unconfirmedRows: sum((officer) => officer.unconfirmedRows),
      onTimePercent: percent(recordings - lateExports, recordings),
    },
  };
}

/** The local month (YYYY-MM) an instant falls in. */
export function monthOf(instant: Date, zone: string): string {
  return localDateIn(instant, zone).slice(0, 7);
}

export interface LateExport {
  id: number;
  badge: string | null;
  officerName: string | null;
  start: string | null;
  end: string | null;
  ingestedAt: string;
  /** Hours from the end of the recording (or its start) to its export. */
  hoursLate: number | null;
}

/** Art. 23: the recordings of a month exported after the deadline, for the report's detail sheet. */
export function lateExportsOf(db: Db, month: string): LateExport[] {
  const { first, last } = monthBounds(month);
  const rows = db
    .prepare(
      `SELECT id, badge, officer_name AS officerName, start_time AS start, end_time AS end, ingested_at AS ingestedAt,
         COALESCE(end_ms, start_ms) AS recordedMs
       FROM recordings WHERE duplicate_of IS NULL AND late = 1 AND local_date BETWEEN ? AND ? ORDER BY badge, start_ms`,
    )
    .all(first, last) as (Omit<LateExport, 'hoursLate'> & { recordedMs: number | null })[];
  return rows.map(({ recordedMs, ...row }) => ({
    ...row,
    hoursLate:
      recordedMs === null ? null : Math.round((Date.parse(row.ingestedAt) - recordedMs) / 360_000) / 10,
  }));
}
