import type { Db } from '../ledger/database.ts';
import { type AuditAction, type AuditEntry, appendAudit } from './audit-log.ts';

/**
 * The ledger fields that may change after ingest, each by a recorded act: corrected times, the officer
 * (assignment, or a reassignment a leader approved), the playback check and the clerk's confirmation.
 * Every other sealed field (hash, sizes, source, kind, ingest facts) is immutable: no entry, however
 * well chained, makes `station verify` accept a change of it.
 */
export const mutableColumns = {
  start: 'start_time',
  end: 'end_time',
  startMs: 'start_ms',
  endMs: 'end_ms',
  officerId: 'officer_id',
  badge: 'badge',
  officerName: 'officer_name',
  playback: 'playback',
  probedAt: 'probed_at',
  confirmedAt: 'confirmed_at',
  confirmedBy: 'confirmed_by',
} as const;

export type MutableField = keyof typeof mutableColumns;
export type SealedChanges = Partial<Record<MutableField, string | number | null>>;

export function isMutableField(value: unknown): value is MutableField {
  return typeof value === 'string' && Object.hasOwn(mutableColumns, value);
}

export interface SealedWrite {
  actor: string;
  action: AuditAction;
  detail?: Record<string, unknown>;
  /** Unsealed columns written with it (a playback report, the clerk's note). */
  alsoColumns?: Record<string, string | number | null>;
}

/**
 * The one place that writes sealed ledger fields after ingest. The new values go into the audit
 * entry (`detail.sealed`) in the same transaction as the UPDATE, so verify can replay them.
 */
export function writeSealedFields(
  db: Db,
  recordingId: number,
  changes: SealedChanges,
  write: SealedWrite,
  now: Date,
): AuditEntry {
  const fields = Object.keys(changes).filter(isMutableField);
  if (fields.length !== Object.keys(changes).length)
    throw new Error(`not a field that may change after ingest: ${Object.keys(changes).join(', ')}`);
  const also = Object.entries(write.alsoColumns ?? {});
  if (also.some(([column]) => !/^[a-z_]+$/.test(column))) throw new Error('bad column name');
  const apply = db.transaction(() => {
    const assignments = [
      ...fields.map((field) => `${mutableColumns[field]} = ?`),
      ...also.map(([c]) => `${c} = ?`),
    ];
    const changed = db
      .prepare(`UPDATE recordings SET ${assignments.join(', ')} WHERE id = ?`)
      .run(
        ...fields.map((field) => changes[field] ?? null),
        ...also.map(([, value]) => value),
        recordingId,
      ).changes;
    if (!changed) throw new Error(`no recording #${recordingId}`);
    return appendAudit(
      db,
      {
        actor: write.actor,
        action: write.action,
        subjectType: 'recording',
        subjectId: recordingId,
        detail: { ...write.detail, sealed: changes },
      },
      now,
    );
  });
  return db.inTransaction ? apply() : apply.immediate();
}
