import type { User } from '../../auth/users.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import type { Db } from '../../ledger/database.ts';
import { findOfficerByBadge, LedgerError } from '../../ledger/officers.ts';

// The clerk's side of art. 23: each export checked for playback, confirmed into the ledger (who,
// when) or marked as not playing back. Every change and its audit entry commit together.

export function confirmRecording(
  db: Db,
  id: number,
  clerk: User,
  now: Date,
  detail: Record<string, unknown> = {},
): boolean {
  return db
    .transaction(() => {
      const changed = db
        .prepare(
          `UPDATE recordings SET confirmed_at = ?, confirmed_by = ?, not_playing_at = NULL, not_playing_by = NULL,
           not_playing_note = NULL WHERE id = ? AND confirmed_at IS NULL`,
        )
        .run(now.toISOString(), clerk.name, id).changes;
      if (changed)
        appendAudit(
          db,
          { actor: clerk.name, action: 'confirm', subjectType: 'recording', subjectId: id, detail },
          now,
        );
      return changed > 0;
    })
    .immediate();
}

export function markNotPlaying(db: Db, id: number, clerk: User, note: string, now: Date): void {
  db.transaction(() => {
    const changed = db
      .prepare(
        `UPDATE recordings SET not_playing_at = ?, not_playing_by = ?, not_playing_note = ?, confirmed_at = NULL,
           confirmed_by = NULL WHERE id = ?`,
      )
      .run(now.toISOString(), clerk.name, note, id).changes;
    if (!changed) throw new LedgerError(`no recording #${id}`);
    appendAudit(
      db,
      {
        actor: clerk.name,
        action: 'mark-unplayable',
        subjectType: 'recording',
        subjectId: id,
        detail: { note },
      },
      now,
    );
  }).immediate();
}

/**
 * Confirms a whole dock after spot checks: only recordings whose automatic playback check passed;
 * damaged, unplayable and still-pending ones stay for a one-by-one look.
 */
export function confirmDock(db: Db, dockId: number, clerk: User, now: Date): number {
  return db
    .transaction(() => {
      const ids = db
        .prepare(
          `SELECT id FROM recordings WHERE dock_id = ? AND duplicate_of IS NULL AND playback = 'ok'
           AND confirmed_at IS NULL AND not_playing_at IS NULL ORDER BY id`,
        )
        .pluck()
        .all(dockId) as number[];
      for (const id of ids) confirmRecording(db, id, clerk, now, { bulkDock: dockId });
      return ids.length;
    })
    .immediate();
}

/** Gives an unassigned recording its officer; the assignment is logged with who made it. */
export function assignOfficer(db: Db, id: number, badge: string, clerk: User, now: Date): void {
  const officer = findOfficerByBadge(db, badge.trim());
  if (!officer) throw new LedgerError(`no officer with badge ${badge}`);
  db.transaction(() => {
    const previous = db.prepare('SELECT badge FROM recordings WHERE id = ?').get(id) as
      | { badge: string | null }
      | undefined;
    if (!previous) throw new LedgerError(`no recording #${id}`);
    db.prepare('UPDATE recordings SET officer_id = ?, badge = ?, officer_name = ? WHERE id = ?').run(
      officer.id,
      officer.badge,
      officer.name,
      id,
    );
    appendAudit(
      db,
      {
        actor: clerk.name,
        action: 'assign-officer',
        subjectType: 'recording',
        subjectId: id,
        detail: { badge: officer.badge, previousBadge: previous.badge },
      },
      now,
    );
  }).immediate();
}
