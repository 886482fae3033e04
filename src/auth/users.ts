import { type MessageKey, translator } from '../i18n/catalogue.ts';
import { type Db, statement } from '../ledger/database.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { passwordProblem } from './password-policy.ts';
import { isRole, type Role } from './roles.ts';

export interface User {
  id: number;
  name: string;
  role: Role;
  /** An officer user sees the recordings under this badge only; it links the account to its 执法人员 record. */
  badge: string | null;
  /** The person's name: an officer's from their 执法人员 record, anyone else's as the account keeps it. */
  realName?: string | null;
  /** Disabled by an admin, or still awaiting a leader's confirmation: either way no session, no token. */
  disabled: boolean;
  /** An account in a footage role that an admin made and no leader has confirmed yet. */
  awaitingConfirmation?: boolean;
  createdAt: string;
}

/** The fields of a user form; a refused change names the one it is about, so a page shows it there. */
export type UserField = 'name' | 'realName' | 'role' | 'badge' | 'password';

/** A refused user change; `key` (when set) names the message pages show in the reader's language. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly key?: MessageKey,
    readonly values?: Record<string, string | number>,
    readonly field?: UserField,
  ) {
    super(message);
  }
}

const english = translator('en');
const policyError = (key: MessageKey, values: Record<string, string | number> = {}, field?: UserField) =>
  new UserError(english(key, values), key, values, field);

// Names the station itself writes in the audit log as actor; a person by that name could hide there.
const reservedNames = new Set(['station', 'system', 'root', 'anonymous', 'unknown']);

/** Throws when `password` may not be `name`'s password (see password-policy.ts). */
export function checkPassword(name: string, password: string): void {
  const problem = passwordProblem(name, password);
  if (problem) throw policyError(problem.key, problem.values, 'password');
}

interface UserRow {
  id: number;
  name: string;
  role: Role;
  badge: string | null;
  real_name: string | null;
  disabled: number;
  awaiting_confirmation: number;
  created_at: string;
  password_hash: string;
}

/**
 * The columns `toUser` reads, of a `users` table aliased `u`: for the lookups every request makes
 * (session, API token), which join the user in rather than ask for it in a second query.
 */
export const userColumns = `u.id, u.name, u.role, u.badge, u.disabled, u.awaiting_confirmation, u.created_at,
  COALESCE((SELECT o.name FROM officers o WHERE u.role = 'officer' AND o.badge = u.badge), u.real_name) AS real_name`;
const selectUser = `SELECT ${userColumns} FROM users u`;

/** What `userColumns` give. */
export type UserFields = Omit<UserRow, 'password_hash'>;

export const toUser = (row: UserFields): User => ({
  id: row.id,
  name: row.name,
  role: row.role,
  badge: row.badge,
  realName: row.real_name,
  disabled: row.disabled === 1 || row.awaiting_confirmation === 1,
  awaitingConfirmation: row.awaiting_confirmation === 1,
  createdAt: row.created_at,
});

export async function addUser(
  db: Db,
  user: {
    name: string;
    role: string;
    password: string;
    badge?: string | null;
    /** The person's name; an officer's comes from their 执法人员 record and may be left out. */
    realName?: string | null;
    /** Who made it, and whether it waits for a leader (see custody/account-confirmation.ts). */
    createdBy?: string;
    awaitingConfirmation?: boolean;
  },
  now: Date,
): Promise<User> {
  const name = user.name.trim();
  const badge = user.badge?.trim() || null;
  const realName = user.realName?.trim() || null;
  if (!name) throw policyError('dash.users.error.nameEmpty', {}, 'name');
  if (reservedNames.has(name.toLowerCase())) throw policyError('dash.users.reservedName', { name }, 'name');
  if (!isRole(user.role)) throw policyError('dash.users.error.unknownRole', { role: user.role }, 'role');
  const officerName = user.role === 'officer' ? officerNameOf(db, badge, realName) : null;
  checkPassword(name, user.password);
  if (findUserByName(db, name)) throw policyError('dash.users.error.exists', { name }, 'name');
  const passwordHash = await hashPassword(user.password);
  const result = db
    .prepare(
      `INSERT INTO users (name, role, badge, real_name, password_hash, created_at, created_by, awaiting_confirmation)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      name,
      user.role,
      badge,
      // An officer's name lives on their 执法人员 record: one place to correct it.
      officerName ? null : realName,
      passwordHash,
      now.toISOString(),
      user.createdBy ?? null,
      user.awaitingConfirmation ? 1 : 0,
    );
  return findUserById(db, Number(result.lastInsertRowid))!;
}

/**
 * An officer account is its officer's: the badge must be on a 执法人员 record, and a name typed for
 * the account must be the record's. Returns the record's name.
 */
function officerNameOf(db: Db, badge: string | null, realName: string | null): string {
  if (!badge) throw policyError('dash.users.error.needsBadge', {}, 'badge');
  const officer = db.prepare('SELECT name FROM officers WHERE badge = ?').pluck().get(badge) as
    | string
    | undefined;
  if (officer === undefined) throw policyError('dash.users.error.noOfficer', { badge }, 'badge');
  if (realName && realName !== officer)
    throw policyError('dash.users.error.officerName', { badge, name: officer }, 'realName');
  return officer;
}

/** A new name for a user who is not an officer (an officer's is corrected on their 执法人员 record). */
export function setRealName(db: Db, id: number, realName: string): void {
  const user = findUserById(db, id);
  if (!user) throw policyError('refusal.noUserId', { id });
  if (user.role === 'officer')
    throw policyError(
      'dash.users.error.officerName',
      { badge: user.badge ?? '', name: user.realName ?? '' },
      'realName',
    );
  const name = realName.trim();
  if (!name) throw policyError('dash.users.error.realNameEmpty', {}, 'realName');
  db.prepare('UPDATE users SET real_name = ? WHERE id = ?').run(name, id);
}

/** False on a fresh station, until the first administrator is made. */
export function hasUsers(db: Db): boolean {
  return db.prepare('SELECT 1 FROM users LIMIT 1').get() !== undefined;
}

export function findUserById(db: Db, id: number): User | null {
  const row = statement(db, `${selectUser} WHERE u.id = ?`).get(id) as UserFields | undefined;
  return row ? toUser(row) : null;
}

export function findUserByName(db: Db, name: string): User | null {
  const row = db.prepare(`${selectUser} WHERE u.name = ?`).get(name) as UserFields | undefined;
  return row ? toUser(row) : null;
}

export function listUsers(db: Db): User[] {
  return (db.prepare(`${selectUser} ORDER BY u.name`).all() as UserFields[]).map(toUser);
}

export function setUserDisabled(db: Db, id: number, disabled: boolean): void {
  db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
  if (disabled) db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
}

/** A new password for the user; every session of theirs ends, so a thief's session dies with the old one. */
export async function setPassword(db: Db, id: number, password: string): Promise<void> {
  const user = findUserById(db, id);
  if (!user) throw policyError('refusal.noUserId', { id });
  checkPassword(user.name, password);
  const passwordHash = await hashPassword(password);
  db.transaction(() => {
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
    db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
  })();
}

/** The enabled user with this name and password, or null; the same answer for every kind of failure. */
export async function authenticate(db: Db, name: string, password: string): Promise<User | null> {
  const row = db.prepare(`SELECT ${userColumns}, u.password_hash FROM users u WHERE u.name = ?`).get(name) as
    | UserRow
    | undefined;
  if (!row) {
    // Spend the same time as a real check, so timing does not tell which names exist.
    await verifyPassword(password, await dummyHash());
    return null;
  }
  const matches = await verifyPassword(password, row.password_hash);
  return matches && row.disabled === 0 && row.awaiting_confirmation === 0 ? toUser(row) : null;
}

let dummy: Promise<string> | undefined;
const dummyHash = () => {
  dummy ??= hashPassword('not a real password');
  return dummy;
};
