import type { Db } from '../ledger/database.ts';
import { type AuditAction, appendAudit } from './audit-log.ts';

/**
 * Events too frequent for one audit entry each (the ranges a video player asks for, a stream of
 * refused requests) but none of which may go unrecorded. The first event of a key is an audit entry
 * at once, so the record never waits on a timer; later events within the window are merged into a
 * row of `audit_windows`, and one closing entry carries the merged detail when the window ends. The
 * rows are in the database, so a crash loses nothing: the next call closes what is due.
 */
export interface WindowedEvent {
  /** What is coalesced together, e.g. the session and the recording. */
  key: string;
  action: AuditAction;
  actor: string;
  subjectType: string | null;
  subjectId: string | number | null;
  detail: Record<string, unknown>;
}

export type Merge = (
  merged: Record<string, unknown>,
  event: Record<string, unknown>,
) => Record<string, unknown>;

export const defaultWindowMs = 5 * 60_000;

interface WindowRow {
  key: string;
  action: string;
  actor: string;
  subject_type: string | null;
  subject_id: string | null;
  opened_at: string;
  last_at: string;
  events: number;
  detail: string;
  opening_entry: number;
}

/** Records one event; returns whether it opened a window (and so is its own audit entry). */
export function recordWindowed(
  db: Db,
  event: WindowedEvent,
  merge: Merge,
  now: Date,
  windowMs = defaultWindowMs,
): { opened: boolean } {
  return db
    .transaction(() => {
      closeDueWindows(db, now, windowMs);
      const open = db.prepare('SELECT * FROM audit_windows WHERE key = ?').get(event.key) as
        | WindowRow
        | undefined;
      if (open) {
        const merged = merge(JSON.parse(open.detail), event.detail);
        db.prepare('UPDATE audit_windows SET last_at = ?, events = events + 1, detail = ? WHERE key = ?').run(
          now.toISOString(),
          JSON.stringify(merged),
          event.key,
        );
        return { opened: false };
      }
      const entry = appendAudit(
        db,
        {
          actor: event.actor,
          action: event.action,
          subjectType: event.subjectType,
          subjectId: event.subjectId,
          detail: event.detail,
        },
        now,
      );
      db.prepare(
        `INSERT INTO audit_windows (key, action, actor, subject_type, subject_id, opened_at, last_at, events, detail, opening_entry)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      ).run(
        event.key,
        event.action,
        event.actor,
        event.subjectType,
        entry.subjectId,
        now.toISOString(),
        now.toISOString(),
        JSON.stringify(event.detail),
        entry.id,
      );
      return { opened: true };
    })
    .immediate();
}

/** How many windows are open whose key starts with this prefix (to cap anonymous keys). */
export function openWindowCount(db: Db, prefix: string): number {
  return Number(
    db
      .prepare('SELECT COUNT(*) FROM audit_windows WHERE substr(key, 1, ?) = ?')
      .pluck()
      .get(prefix.length, prefix),
  );
}

/**
 * Writes the closing entry of every window opened more than `windowMs` ago (every window with
 * `all`, at shutdown). A window that saw only its opening event needs no second entry.
 */
export function closeDueWindows(db: Db, now: Date, windowMs = defaultWindowMs, all = false): number {
  const close = db.transaction(() => {
    const due = (
      all
        ? db.prepare('SELECT * FROM audit_windows ORDER BY opened_at')
        : db.prepare('SELECT * FROM audit_windows WHERE opened_at <= ? ORDER BY opened_at')
    ).all(...(all ? [] : [new Date(now.getTime() - windowMs).toISOString()])) as WindowRow[];
    for (const row of due) {
      if (row.events > 1) {
        appendAudit(
          db,
          {
            actor: row.actor,
            action: row.action as AuditAction,
            subjectType: row.subject_type,
            subjectId: row.subject_id,
            detail: {
              ...JSON.parse(row.detail),
              window: {
                openingEntry: row.opening_entry,
                events: row.events,
                from: row.opened_at,
                to: row.last_at,
              },
            },
          },
          now,
        );
      }
      db.prepare('DELETE FROM audit_windows WHERE key = ?').run(row.key);
    }
    return due.length;
  });
  return db.inTransaction ? close() : close.immediate();
}
