import { createHash } from 'node:crypto';
import type { Db } from '../ledger/database.ts';

/** Every kind of action the audit log records (art. 5: every step leaves a trace). */
export type AuditAction =
  | 'ingest'
  | 'duplicate'
  | 'view'
  | 'download'
  | 'export'
  | 'assign-officer'
  | 'assign-device'
  | 'confirm'
  | 'mark-unplayable'
  | 'case-change'
  | 'case-link'
  | 'hold'
  | 'activity-tag'
  | 'retention-decision'
  | 'deletion'
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'login-locked'
  | 'login-throttled'
  | 'password-change'
  | 'access-refused'
  | 'access-request'
  | 'access-decision'
  | 'correction'
  | 'user-change'
  | 'officer-change'
  | 'device-fault'
  | 'interruption-explained'
  | 'interruption-accepted'
  | 'interruption-returned'
  | 'alert-acknowledged'
  | 'alert-assigned'
  | 'interruption-detected'
  | 'spoken-reason'
  | 'device-clock-set'
  | 'source-deleted'
  | 'fixity-failure'
  | 'setting-change'
  | 'playback-check'
  | 'reassignment-request'
  | 'reassignment-decision'
  | 'export-removed'
  | 'district-upload'
  | 'district-verify'
  | 'district-delete'
  | 'district-withdraw'
  | 'grant-ended';

export interface AuditEntryInput {
  actor: string;
  action: AuditAction;
  subjectType?: string | null;
  subjectId?: string | number | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, unknown>;
  previousHash: string;
  hash: string;
}

export const genesisHash = '0'.repeat(64);

/** The hash of one entry: its id, content and its predecessor's hash, so edits, deletions and reorders show. */
export function entryHash(entry: Omit<AuditEntry, 'hash' | 'detail'> & { detail: string }): string {
  const content = JSON.stringify([
    entry.id,
    entry.at,
    entry.actor,
    entry.action,
    entry.subjectType,
    entry.subjectId,
    entry.detail,
    entry.previousHash,
  ]);
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Appends one entry. Call it inside the transaction of the change it records where there is one,
 * so the action and its trace commit together. The chain head is read and written in the same
 * transaction; SQLite's single writer keeps the chain linear.
 *
 * Several processes write (daemon, dashboard, CLI). A deferred transaction that reads the head and
 * then writes fails with SQLITE_BUSY when another process wrote in between, without waiting; so on
 * its own this takes the write lock first (IMMEDIATE, which waits out busy_timeout), and a caller's
 * transaction that reads before its first write should be `.immediate()` too.
 */
export function appendAudit(db: Db, input: AuditEntryInput, at: Date = new Date()): AuditEntry {
  const append = db.transaction(() => {
    const head = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
      | { id: number; hash: string }
      | undefined;
    const entry = {
      id: (head?.id ?? 0) + 1,
      at: at.toISOString(),
      actor: input.actor,
      action: input.action,
      subjectType: input.subjectType ?? null,
      subjectId: input.subjectId === undefined || input.subjectId === null ? null : String(input.subjectId),
      detail: JSON.stringify(input.detail ?? {}),
      previousHash: head?.hash ?? genesisHash,
    };
    const hash = entryHash(entry);
    db.prepare(
      `INSERT INTO audit_log (id, at, actor, action, subject_type, subject_id, detail, previous_hash, hash)
       VALUES (@id, @at, @actor, @action, @subjectType, @subjectId, @detail, @previousHash, @hash)`,
    ).run({ ...entry, hash });
    return { ...entry, detail: input.detail ?? {}, hash };
  });
  return db.inTransaction ? append() : append.immediate();
}

/** When the newest entry on the record was written, by its time (not its id): null on an empty log. */
export function latestEntryTime(db: Db): string | null {
  return (db.prepare('SELECT MAX(at) FROM audit_log').pluck().get() as string | null) ?? null;
}

export function auditTrail(db: Db, subjectType: string, subjectId: string | number): AuditEntry[] {
  const rows = db
    .prepare('SELECT * FROM audit_log WHERE subject_type = ? AND subject_id = ? ORDER BY id')
    .all(subjectType, String(subjectId)) as AuditRow[];
  return rows.map(toAuditEntry);
}

/** An audit_log row as SQLite returns it; detail is still JSON text, as it was hashed. */
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  detail: string;
  previous_hash: string;
  hash: string;
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    detail: parseDetail(row.detail),
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** The hash a stored row should carry, computed from its columns exactly as appendAudit did. */
export function rowHash(row: AuditRow, id: number = row.id): string {
  return entryHash({
    id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    detail: row.detail,
    previousHash: row.previous_hash,
  });
}

// A tampered row may hold anything; verification must report it, not crash on it.
function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : { value };
  } catch {
    return { unparsable: text };
  }
}
