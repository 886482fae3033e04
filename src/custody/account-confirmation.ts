import type { Role } from '../auth/roles.ts';
import { addUser, findUserById, type User } from '../auth/users.ts';
import { englishText, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { appendAudit } from './audit-log.ts';
import { givesFootageRights, type Refusal, refusesAccountConfirmation } from './release-rules.ts';

// Whoever makes an account knows its password. An admin who could make a clerk or a leader could
// log in as one and take footage out alone, so an account in a footage role takes effect only when
// an existing leader confirms it. The very first leader has nobody to confirm them: that account is
// active at once, and its audit entry says so. "First" means no leader account was ever made: an admin
// who disables every leader does not get to make an unconfirmed one (a disabled leader can be enabled
// again to confirm a successor).

/** An account change refused by the rules (HTTP 409, exit 1); it is in the audit log. */
export class AccountRefused extends TranslatedError {}

function hasLeaderAccount(db: Db): boolean {
  return db.prepare("SELECT 1 FROM users WHERE role = 'leader' LIMIT 1").get() !== undefined;
}

/** Adds an account on behalf of `by`; one in a footage role waits for a leader (see above). */
export async function addAccount(
  db: Db,
  input: { name: string; role: Role; password: string; badge?: string | null; realName?: string | null },
  by: string,
  now: Date,
): Promise<User> {
  const firstLeader = input.role === 'leader' && !hasLeaderAccount(db);
  const awaiting = givesFootageRights(input.role) && !firstLeader;
  const user = await addUser(db, { ...input, createdBy: by, awaitingConfirmation: awaiting }, now);
  appendAudit(
    db,
    {
      actor: by,
      action: 'user-change',
      subjectType: 'user',
      subjectId: user.id,
      detail: {
        added: user.name,
        role: user.role,
        badge: user.badge,
        realName: user.realName,
        ...(awaiting ? { awaitingConfirmation: true } : {}),
        ...(firstLeader
          ? { firstLeader: true, unconfirmed: 'no leader existed to confirm this account' }
          : {}),
      },
    },
    now,
  );
  return user;
}

/** A leader confirms an account that gives footage rights; from now on it can sign in. */
export function confirmAccount(db: Db, userId: number, leader: User, now: Date): User {
  return db
    .transaction(() => {
      const account = findUserById(db, userId);
      const refusal: Refusal | null = !account
        ? { key: 'refusal.noUserId', values: { id: userId } }
        : !account.awaitingConfirmation
          ? { key: 'refusal.notAwaiting', values: { name: account.name } }
          : refusesAccountConfirmation(leader, account);
      if (refusal) {
        appendAudit(
          db,
          {
            actor: leader.name,
            action: 'access-refused',
            subjectType: 'user',
            subjectId: userId,
            detail: { attempted: 'confirm account', reason: englishText(refusal) },
          },
          now,
        );
        throw new AccountRefused(refusal);
      }
      db.prepare(
        'UPDATE users SET awaiting_confirmation = 0, confirmed_by = ?, confirmed_at = ? WHERE id = ?',
      ).run(leader.name, now.toISOString(), userId);
      appendAudit(
        db,
        {
          actor: leader.name,
          action: 'user-change',
          subjectType: 'user',
          subjectId: userId,
          detail: { confirmed: account!.name, role: account!.role },
        },
        now,
      );
      return findUserById(db, userId)!;
    })
    .immediate();
}

export interface PendingAccount extends User {
  createdBy: string | null;
}

export function accountsAwaitingConfirmation(db: Db): PendingAccount[] {
  return (
    db.prepare('SELECT id, created_by FROM users WHERE awaiting_confirmation = 1 ORDER BY id').all() as {
      id: number;
      created_by: string | null;
    }[]
  ).map((row) => ({ ...findUserById(db, row.id)!, createdBy: row.created_by }));
}
