import type { User } from '../../auth/users.ts';
import { writeSealedFields } from '../../custody/ledger-mutator.ts';
import type { Db } from '../../ledger/database.ts';
import { LedgerError } from '../../ledger/officers.ts';

// The clerk's side of art. 23: each export checked for playback, confirmed into the ledger (who,
// when) or marked as not playing back. Every change and its audit entry commit together. A decision
// stands until it is withdrawn with a reason (custody/corrections.ts): a second decision over it
// would change the finding without saying why.

/** The recording already carries the other decision; it must be withdrawn first. */
export class DecisionTaken extends Error {}

function decisionOf(db: Db, id: number) {
  const row = db.prepare('SELECT confirmed_at, not_playing_at FROM recordings WHERE id = ?').get(id) as
    | { confirmed_at: string | null; not_playing_at: string | null }
    | undefined;
  if (!row) throw new LedgerError({ key: 'error.noRecording', values: { id } });
  return row.confirmed_at ? 'confirmation' : row.not_playing_at ? 'not-playing' : null;
}

/** Confirms the recording; false when it was confirmed already (a second click changes nothing). */
export function confirmRecording(
  db: Db,
  id: number,
  clerk: User,
  now: Date,
  detail: Record<string, unknown> = {},
): boolean {
  return db
    .transaction(() => {
      const decision = decisionOf(db, id);
      if (decision === 'confirmation') return false;
      if (decision === 'not-playing') throw new DecisionTaken(`recording #${id} is marked not playing`);
      writeSealedFields(
        db,
        id,
        { confirmedAt: now.toISOString(), confirmedBy: clerk.name },
        { actor: clerk.name, action: 'confirm', detail },
        now,
      );
      return true;
    })
    .immediate();
}

export function markNotPlaying(db: Db, id: number, clerk: User, note: string, now: Date): void {
  db.transaction(() => {
    const decision = decisionOf(db, id);
    if (decision) throw new DecisionTaken(`recording #${id} carries a ${decision} already`);
    writeSealedFields(
      db,
      id,
      {},
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
 * What confirming a whole dock after spot checks would confirm: recordings whose automatic playback
 * check passed and that carry no decision yet. Damaged, unplayable and still-pending ones, and
 * duplicates, stay for a one-by-one look.
 */
export function bulkConfirmable(db: Db, dockId: number): number[] {
  return db
    .prepare(
      `SELECT id FROM recordings WHERE dock_id = ? AND duplicate_of IS NULL AND playback = 'ok'
       AND confirmed_at IS NULL AND not_playing_at IS NULL ORDER BY id`,
    )
    .pluck()
    .all(dockId) as number[];
}

/**
 * Confirms the recordings of a dock the clerk was shown (`ids`), those of them still confirmable:
 * one that changed meanwhile, or that was not on the list, is left alone.
 */
export function confirmDock(db: Db, dockId: number, ids: number[], clerk: User, now: Date): number[] {
  return db
    .transaction(() => {
      const shown = new Set(ids);
      const confirmed = bulkConfirmable(db, dockId).filter((id) => shown.has(id));
      for (const id of confirmed) confirmRecording(db, id, clerk, now, { bulkDock: dockId });
      return confirmed;
    })
    .immediate();
}

export { assignOfficer } from '../../custody/reassignment.ts';
