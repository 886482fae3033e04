import { findUserByName } from '../../auth/users.ts';
import type { Db } from '../../ledger/database.ts';

/** A person as pages name them: `王丽（wangli）`, or the login alone where the station knows no name. */
export function personLabel(user: { name: string; realName?: string | null }): string {
  return user.realName && user.realName !== user.name ? `${user.realName}（${user.name}）` : user.name;
}

/** The person behind a login the ledger or the audit log recorded (a name, not an id: it outlives the account). */
export function personNamed(db: Db, login: string): string {
  return personLabel(findUserByName(db, login) ?? { name: login });
}
