import { hash, randomBytes } from 'node:crypto';
import { type Db, statement } from '../ledger/database.ts';
import { toUser, type User, type UserFields, userColumns } from './users.ts';

export const sessionHours = 12;

export interface Session {
  user: User;
  csrfToken: string;
}

const hashToken = (token: string) => hash('sha256', token, 'hex');

/** A new session; the returned token goes into the cookie and is never stored as is. */
export function createSession(db: Db, userId: number, now: Date): { token: string; csrfToken: string } {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expires = new Date(now.getTime() + sessionHours * 3600_000);
  db.prepare(
    'INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  ).run(hashToken(token), userId, csrfToken, now.toISOString(), expires.toISOString());
  return { token, csrfToken };
}

export function findSession(db: Db, token: string, now: Date): Session | null {
  const row = statement(
    db,
    `SELECT s.csrf_token, ${userColumns} FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ? AND s.expires_at > ?`,
  ).get(hashToken(token), now.toISOString()) as (UserFields & { csrf_token: string }) | undefined;
  if (!row) return null;
  const user = toUser(row);
  return user.disabled ? null : { user, csrfToken: row.csrf_token };
}

export function endSession(db: Db, token: string): void {
  db.prepare('DELETE FROM sessions WHERE id = ?').run(hashToken(token));
}

export function deleteExpiredSessions(db: Db, now: Date): void {
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString());
}
