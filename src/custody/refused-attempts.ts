import type { Db } from '../ledger/database.ts';
import { openWindowCount, recordWindowed } from './audit-windows.ts';

export interface RefusedAttempt {
  /** The signed-in user, or null for an anonymous request. */
  actor: string | null;
  /** Where the request came from (the client address). */
  source: string;
  /** What was asked for, e.g. `recording 12 media`. */
  subject: string;
  /** The subject of the opening entry, so the first attempt shows in that recording's own trail. */
  subjectType?: string;
  subjectId?: string | number;
  /** A short code (`not-found`, `no-grant`, `no-session`): attempts with the same one are counted together. */
  reason: string;
  /** The full reason, kept in the opening entry. */
  detail?: string;
}

/** Anonymous sources with a window open at once; past this they share one window, so junk cannot flood the log. */
export const anonymousSourceLimit = 50;
const subjectLimit = 20;

/**
 * Failed and refused attempts at footage are on the record too (a 404 on another officer's recording,
 * media asked for without a session, a refused grant). They are coalesced per user (or per
 * anonymous source) and reason: the first is an entry at once, the rest are counted, with the first
 * few subjects named, in the entry that closes the window (whose source is the first one seen).
 */
export function recordRefusedAttempt(db: Db, attempt: RefusedAttempt, now: Date): void {
  const prefix = 'refused:anonymous:';
  let key = attempt.actor
    ? `refused:user:${attempt.actor}:${attempt.reason}`
    : `${prefix}${attempt.source}:${attempt.reason}`;
  if (!attempt.actor && openWindowCount(db, prefix) >= anonymousSourceLimit)
    key = `${prefix}*:${attempt.reason}`;
  recordWindowed(
    db,
    {
      key,
      action: 'access-refused',
      actor: attempt.actor ?? 'anonymous',
      subjectType: attempt.subjectType ?? 'attempt',
      subjectId: attempt.subjectId ?? null,
      detail: {
        reason: attempt.reason,
        ...(attempt.detail ? { why: attempt.detail } : {}),
        source: attempt.source,
        subjects: [attempt.subject],
        attempts: 1,
      },
    },
    (merged, event) => {
      const subjects = merged.subjects as string[];
      const subject = (event.subjects as string[])[0];
      const named = subjects.includes(subject) || subjects.length >= subjectLimit;
      return {
        ...merged,
        subjects: named ? subjects : [...subjects, subject],
        attempts: (merged.attempts as number) + 1,
      };
    },
    now,
  );
}
