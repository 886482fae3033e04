import type { StationConfig } from '../config/schema.ts';
import type { Db } from '../ledger/database.ts';
import { localDateIn } from '../time/zone.ts';
import { addDays, addMonths } from './calendar.ts';
import { RetentionRefused } from './compliance-error.ts';
import type { HoldKind } from './holds.ts';

// Art. 24: keep at least six months; where a final decision was served, the six months start then.
// The end is computed, never typed. Dates are local dates of the station's zone, and the end date is
// kept in full: a recording whose retention ends 2027-02-28 may be reviewed from 2027-03-01 00:00.

/** Why a recording is kept until its end (or indefinitely, with retentionEnd null). */
export type RetentionReason =
  | 'recorded' // six months after it was recorded
  | 'ingested' // six months after ingest: its recorded time is missing or came from a reset clock
  | 'case-served' // six months after its case's final decision was served
  | 'case-closed' // six months after its case was closed with no decision served
  | 'open-case' // linked to an open case whose final decision is not yet served
  | `hold-${HoldKind}`;

export interface RetentionStatus {
  id: number;
  sha256: string;
  /** Last local date the recording must be kept (inclusive); null while held indefinitely. */
  retentionEnd: string | null;
  reason: RetentionReason;
  /** The case that set the end or holds it open, where one does. */
  caseNumber: string | null;
  recordedOn: string;
  badge: string | null;
  /** A deletion in progress: proposed, or approved and in its grace period. */
  deletion: 'proposed' | 'approved' | null;
}

export interface RetentionReview {
  asOf: string;
  /** Past their end: may be proposed for deletion. */
  due: RetentionStatus[];
  /** Ending within the configured window. */
  expiring: RetentionStatus[];
  /** Kept indefinitely: a hold or an open case. */
  held: RetentionStatus[];
}

export interface RetentionSettings {
  months: number;
  expiringWindowDays: number;
  zone: string;
}

export const minimumRetentionMonths = 6;

export function retentionSettings(config: Pick<StationConfig, 'retention' | 'station'>): RetentionSettings {
  return {
    // The schema already refuses less; this keeps a hand-built config from going under the floor.
    months: Math.max(minimumRetentionMonths, config.retention.months),
    expiringWindowDays: config.retention.expiringWindowDays,
    zone: config.station.timezone,
  };
}

interface RecordingFacts {
  id: number;
  sha256: string;
  local_date: string | null;
  ingested_at: string;
  time_flags: string;
  badge: string | null;
  deletion: 'proposed' | 'approved' | null;
}

interface LinkFacts {
  recording_id: number;
  number: string;
  served_at: string | null;
  closed_at: string | null;
}

interface HoldFacts {
  recording_id: number;
  kind: HoldKind;
  number: string | null;
}

/** Originals whose file is still in the archive; duplicates share it and their links go to the original. */
function archivedOriginals(db: Db, recordingId?: number): RecordingFacts[] {
  return db
    .prepare(
      `SELECT r.id, r.sha256, r.local_date, r.ingested_at, r.time_flags, r.badge, p.state AS deletion
       FROM recordings r LEFT JOIN deletion_proposals p ON p.recording_id = r.id AND p.state IN ('proposed', 'approved')
       WHERE r.duplicate_of IS NULL AND r.archive_path IS NOT NULL AND (? IS NULL OR r.id = ?) ORDER BY r.id`,
    )
    .all(recordingId ?? null, recordingId ?? null) as RecordingFacts[];
}

function linksByRecording(db: Db): Map<number, LinkFacts[]> {
  const rows = db
    .prepare(
      `SELECT rc.recording_id, c.number, c.served_at, c.closed_at FROM recording_cases rc JOIN cases c ON c.id = rc.case_id
       ORDER BY c.number`,
    )
    .all() as LinkFacts[];
  return groupBy(rows, (row) => row.recording_id);
}

// A case-wide hold covers every recording linked to the case.
function holdsByRecording(db: Db): Map<number, HoldFacts[]> {
  const rows = db
    .prepare(
      `SELECT h.recording_id, h.kind, NULL AS number FROM holds h WHERE h.recording_id IS NOT NULL
       UNION ALL
       SELECT rc.recording_id, h.kind, c.number FROM holds h JOIN cases c ON c.id = h.case_id
         JOIN recording_cases rc ON rc.case_id = h.case_id
       ORDER BY 1, 2`,
    )
    .all() as HoldFacts[];
  return groupBy(rows, (row) => row.recording_id);
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    list.push(row);
    groups.set(key(row), list);
  }
  return groups;
}

function statusOf(
  recording: RecordingFacts,
  links: LinkFacts[],
  holds: HoldFacts[],
  settings: RetentionSettings,
): RetentionStatus {
  const flags = JSON.parse(recording.time_flags || '[]') as string[];
  const trustRecordedDate = recording.local_date !== null && !flags.includes('clock-reset');
  const recordedOn = trustRecordedDate
    ? recording.local_date!
    : localDateIn(new Date(recording.ingested_at), settings.zone);
  const base = {
    id: recording.id,
    sha256: recording.sha256,
    recordedOn,
    badge: recording.badge,
    deletion: recording.deletion,
  };
  const hold = holds[0];
  if (hold) return { ...base, retentionEnd: null, reason: `hold-${hold.kind}`, caseNumber: hold.number };
  const open = links.find((link) => link.served_at === null && link.closed_at === null);
  if (open) return { ...base, retentionEnd: null, reason: 'open-case', caseNumber: open.number };
  let status: RetentionStatus = {
    ...base,
    retentionEnd: addMonths(recordedOn, settings.months),
    reason: trustRecordedDate ? 'recorded' : 'ingested',
    caseNumber: null,
  };
  // A case closed with no decision served (dropped, not filed) counts from its closing, never less.
  for (const link of links) {
    const from = link.served_at ?? link.closed_at!;
    const end = addMonths(localDateIn(new Date(from), settings.zone), settings.months);
    const reason = link.served_at ? 'case-served' : 'case-closed';
    if (end > status.retentionEnd!)
      status = { ...status, retentionEnd: end, reason, caseNumber: link.number };
  }
  return status;
}

/** Retention of every archived original. */
export function retentionStatuses(
  db: Db,
  settings: RetentionSettings,
  recordingId?: number,
): RetentionStatus[] {
  const links = linksByRecording(db);
  const holds = holdsByRecording(db);
  return archivedOriginals(db, recordingId).map((recording) =>
    statusOf(recording, links.get(recording.id) ?? [], holds.get(recording.id) ?? [], settings),
  );
}

export function retentionOf(
  db: Db,
  settings: RetentionSettings,
  recordingId: number,
): RetentionStatus | null {
  return retentionStatuses(db, settings, recordingId)[0] ?? null;
}

/** A recording is due on the first local day after its retention end. */
export function isDue(status: RetentionStatus, asOf: string): boolean {
  return status.retentionEnd !== null && asOf > status.retentionEnd;
}

/** The review list ops work through (art. 24); `asOf` is a local date. Nothing here deletes anything. */
export function retentionReview(db: Db, settings: RetentionSettings, asOf: string): RetentionReview {
  const windowEnd = addDays(asOf, settings.expiringWindowDays);
  const review: RetentionReview = { asOf, due: [], expiring: [], held: [] };
  for (const status of retentionStatuses(db, settings)) {
    if (status.retentionEnd === null) review.held.push(status);
    else if (isDue(status, asOf)) review.due.push(status);
    else if (status.retentionEnd < windowEnd) review.expiring.push(status);
  }
  review.due.sort(byEnd);
  review.expiring.sort(byEnd);
  return review;
}

const byEnd = (a: RetentionStatus, b: RetentionStatus) =>
  a.retentionEnd!.localeCompare(b.retentionEnd!) || a.id - b.id;

/**
 * Refuses unless the recording's retention has ended by `now`. Every deletion step calls this again,
 * because a hold, a case link or a later service date may arrive while a proposal waits.
 */
export function assertRetentionEnded(
  db: Db,
  settings: RetentionSettings,
  recordingId: number,
  now: Date,
): RetentionStatus {
  const status = retentionOf(db, settings, recordingId);
  if (!status)
    throw new RetentionRefused({ key: 'retention.refused.notArchived', values: { id: recordingId } });
  const today = localDateIn(now, settings.zone);
  if (status.retentionEnd === null) {
    throw new RetentionRefused(
      status.reason === 'open-case'
        ? { key: 'retention.refused.openCase', values: { id: recordingId, case: status.caseNumber ?? '' } }
        : { key: 'retention.refused.held', values: { id: recordingId, reason: status.reason } },
    );
  }
  if (!isDue(status, today)) {
    throw new RetentionRefused({
      key: 'retention.refused.notDue',
      values: { id: recordingId, end: status.retentionEnd, reason: status.reason },
    });
  }
  return status;
}
