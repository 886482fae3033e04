import type { Db } from '../ledger/database.ts';

// The station's side of the district archive: one row per original recording owed to the district,
// its stage on the row, so a restart (or days offline) resumes where the last pass stopped.

export type OutboxState = 'pending' | 'uploading' | 'verified' | 'failed';

export interface OutboxRow {
  recordingId: number;
  state: OutboxState;
  objectKey: string | null;
  uploadId: string | null;
  versionId: string | null;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  retainUntil: string | null;
  legalHold: boolean;
  uploadedAt: string | null;
  verifiedAt: string | null;
  localEvictedAt: string | null;
  districtDeletedAt: string | null;
  createdAt: string;
}

/** After this many failed attempts a row shows as failed; it still retries at the longest back-off. */
export const failedAfterAttempts = 5;
const maxBackoffSeconds = 3600;

/** 30 s, 1 min, 2 min … capped at an hour: a store that is down is not hammered, and is caught up on. */
export function backoffSeconds(attempts: number): number {
  return Math.min(maxBackoffSeconds, 30 * 2 ** Math.max(0, attempts - 1));
}

const selectRow = `SELECT recording_id AS recordingId, state, object_key AS objectKey, upload_id AS uploadId,
  version_id AS versionId, attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError,
  retain_until AS retainUntil, legal_hold AS legalHold, uploaded_at AS uploadedAt, verified_at AS verifiedAt,
  local_evicted_at AS localEvictedAt, district_deleted_at AS districtDeletedAt, created_at AS createdAt
  FROM district_outbox`;

function toRow(row: Record<string, unknown>): OutboxRow {
  return { ...(row as unknown as OutboxRow), legalHold: row.legalHold === 1 };
}

/**
 * Joins the district: from now on the trigger queues every new original, and every original archived
 * before joining is queued here, once.
 */
export function joinDistrict(db: Db, stationId: string, now: Date): void {
  db.transaction(() => {
    const member = db.prepare('SELECT station_id FROM district_membership').pluck().get() as
      | string
      | undefined;
    if (member === undefined) {
      db.prepare('INSERT INTO district_membership (id, station_id, joined_at) VALUES (1, ?, ?)').run(
        stationId,
        now.toISOString(),
      );
    } else if (member !== stationId) {
      db.prepare('UPDATE district_membership SET station_id = ? WHERE id = 1').run(stationId);
    }
    db.prepare(
      `INSERT INTO district_outbox (recording_id, next_attempt_at, created_at)
       SELECT r.id, ?, ? FROM recordings r
       WHERE r.duplicate_of IS NULL AND r.archive_path IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM district_outbox o WHERE o.recording_id = r.id)`,
    ).run(now.toISOString(), now.toISOString());
  }).immediate();
}

export function outboxRow(db: Db, recordingId: number): OutboxRow | null {
  const row = db.prepare(`${selectRow} WHERE recording_id = ?`).get(recordingId) as
    | Record<string, unknown>
    | undefined;
  return row ? toRow(row) : null;
}

// A recording the deletion review removed is owed no upload any more.
const reviewDeleted = "recording_id IN (SELECT recording_id FROM deletion_proposals WHERE state = 'deleted')";

/** Rows whose upload is owed and whose back-off has passed, oldest first. */
export function dueUploads(db: Db, now: Date, limit = 1000): OutboxRow[] {
  return (
    db
      .prepare(
        `${selectRow} WHERE state != 'verified' AND next_attempt_at <= ? AND NOT ${reviewDeleted}
         ORDER BY next_attempt_at, recording_id LIMIT ?`,
      )
      .all(now.toISOString(), limit) as Record<string, unknown>[]
  ).map(toRow);
}

/** Verified copies whose recording the station still keeps (a reviewed deletion has no lock to extend). */
export function verifiedRows(db: Db): OutboxRow[] {
  return (
    db
      .prepare(
        `${selectRow} WHERE state = 'verified' AND district_deleted_at IS NULL
           AND recording_id IN (SELECT id FROM recordings WHERE archive_path IS NOT NULL) ORDER BY recording_id`,
      )
      .all() as Record<string, unknown>[]
  ).map(toRow);
}

/**
 * Rows the deletion review removed before any version of theirs reached the store: they leave the
 * outbox (withdrawUpload). One whose version is in the store waits for district-deletion.ts instead.
 */
export function withdrawnUploads(db: Db): OutboxRow[] {
  return (
    db
      .prepare(
        `${selectRow} WHERE state != 'verified' AND version_id IS NULL AND ${reviewDeleted} ORDER BY recording_id`,
      )
      .all() as Record<string, unknown>[]
  ).map(toRow);
}

export function withdrawUpload(db: Db, recordingId: number): void {
  db.prepare('DELETE FROM district_outbox WHERE recording_id = ?').run(recordingId);
}

export function markUploading(db: Db, recordingId: number, objectKey: string, uploadId: string | null): void {
  db.prepare(
    "UPDATE district_outbox SET state = 'uploading', object_key = ?, upload_id = ? WHERE recording_id = ?",
  ).run(objectKey, uploadId, recordingId);
}

export function markUploaded(db: Db, recordingId: number, versionId: string | null, now: Date): void {
  db.prepare(
    'UPDATE district_outbox SET upload_id = NULL, version_id = ?, uploaded_at = ? WHERE recording_id = ?',
  ).run(versionId, now.toISOString(), recordingId);
}

export function markLocked(db: Db, recordingId: number, retainUntil: string, legalHold: boolean): void {
  db.prepare('UPDATE district_outbox SET retain_until = ?, legal_hold = ? WHERE recording_id = ?').run(
    retainUntil,
    legalHold ? 1 : 0,
    recordingId,
  );
}

export function markVerified(db: Db, recordingId: number, now: Date): void {
  db.prepare(
    `UPDATE district_outbox SET state = 'verified', verified_at = ?, last_error = NULL, attempts = 0
     WHERE recording_id = ?`,
  ).run(now.toISOString(), recordingId);
}

/** A failed attempt: the row keeps its upload id (parts already sent stay usable) and waits its back-off. */
export function markAttemptFailed(db: Db, recordingId: number, error: string, now: Date): void {
  const attempts =
    (db
      .prepare('SELECT attempts FROM district_outbox WHERE recording_id = ?')
      .pluck()
      .get(recordingId) as number) + 1;
  const next = new Date(now.getTime() + backoffSeconds(attempts) * 1000);
  db.prepare(
    `UPDATE district_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?,
       state = CASE WHEN ? >= ? THEN 'failed' WHEN upload_id IS NOT NULL THEN 'uploading' ELSE 'pending' END
     WHERE recording_id = ?`,
  ).run(attempts, error, next.toISOString(), attempts, failedAfterAttempts, recordingId);
}

export function markEvicted(db: Db, recordingId: number, now: Date): void {
  db.prepare('UPDATE district_outbox SET local_evicted_at = ? WHERE recording_id = ?').run(
    now.toISOString(),
    recordingId,
  );
}

export interface OutboxCounts {
  pending: number;
  uploading: number;
  verified: number;
  failed: number;
  oldestPendingAt: string | null;
}

export function outboxCounts(db: Db): OutboxCounts {
  const counts: OutboxCounts = { pending: 0, uploading: 0, verified: 0, failed: 0, oldestPendingAt: null };
  for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM district_outbox GROUP BY state').all() as {
    state: OutboxState;
    n: number;
  }[])
    counts[row.state] = row.n;
  counts.oldestPendingAt =
    (db.prepare("SELECT MIN(created_at) FROM district_outbox WHERE state != 'verified'").pluck().get() as
      | string
      | null) ?? null;
  return counts;
}
