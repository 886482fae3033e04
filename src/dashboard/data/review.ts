import type { User } from '../../auth/users.ts';
import { writeSealedFields } from '../../custody/ledger-mutator.ts';
import type { Db } from '../../ledger/database.ts';
import { LedgerError } from '../../ledger/officers.ts';

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
      const open = db.prepare('SELECT 1 FROM recordings WHERE id = ? AND confirmed_at IS NULL').get(id);
      if (open)
        writeSealedFields(
          db,
          id,
          { confirmedAt: now.toISOString(), confirmedBy: clerk.name },
          {
            actor: clerk.name,
            action: 'confirm',
            detail,
            alsoColumns: { not_playing_at: null, not_playing_by: null, not_playing_note: null },
          },
          now,
        );
      return open !== undefined;
    })
    .immediate();
}

export function markNotPlaying(db: Db, id: number, clerk: User, note: string, now: Date): void {
  db.transaction(() => {
    if (!db.prepare('SELECT 1 FROM recordings WHERE id = ?').get(id))
      throw new LedgerError(`no recording #${id}`);
    writeSealedFields(
      db,
      id,
      { confirmedAt: null, confirmedBy: null },
      {
        actor: clerk.name,
        action: 'mark-unplayable',
        detail: { note },
        alsoColumns: {
          not_playing_at: now.toISOString(),
          not_playing_by: clerk.name,
          not_playing_note: note,
        },
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

export { assignOfficer } from '../../custody/reassignment.ts';
