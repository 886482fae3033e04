import { hash, randomBytes } from 'node:crypto';
import { type Db, statement } from '../ledger/database.ts';
import { toUser, type User, type UserFields, userColumns } from './users.ts';

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const hashToken = (token: string) => hash('sha256', token, 'hex');
const tokenPrefix = 'bwc_';

/** How long a token lives unless its maker says otherwise; at most a year, then it is made anew. */
export const defaultTokenDays = 90;
export const maximumTokenDays = 365;

/** A token for another system on the station; it acts as its user. Shown once, stored as a hash. */
export function createApiToken(
  db: Db,
  userId: number,
  name: string,
  now: Date,
  days: number = defaultTokenDays,
): { id: number; token: string; expiresAt: string } {
  if (!Number.isInteger(days) || days < 1 || days > maximumTokenDays)
    throw new RangeError(`a token lives 1 to ${maximumTokenDays} days, not ${days}`);
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  const result = db
    .prepare(
      'INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    )
    .run(userId, name, hashToken(token), now.toISOString(), expiresAt);
  return { id: Number(result.lastInsertRowid), token, expiresAt };
}

export function userForApiToken(db: Db, token: string, now: Date): User | null {
  if (!token.startsWith(tokenPrefix)) return null;
  const row = statement(
    db,
    `SELECT t.id AS token_id, t.last_used_at, ${userColumns} FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`,
  ).get(hashToken(token), now.toISOString()) as
    | (UserFields & { token_id: number; last_used_at: string | null })
    | undefined;
  if (!row) return null;
  const user = toUser(row);
  if (user.disabled) return null;
  // A write (and fsync) per request would slow every API call: record use at most once a minute.
  if (!row.last_used_at || Date.parse(row.last_used_at) < now.getTime() - 60_000)
    db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now.toISOString(), row.token_id);
  return user;
}

export function listApiTokens(db: Db): ApiToken[] {
  return db
    .prepare(
      `SELECT id, user_id AS userId, name, created_at AS createdAt, expires_at AS expiresAt,
         last_used_at AS lastUsedAt, revoked_at AS revokedAt FROM api_tokens ORDER BY id`,
    )
    .all() as ApiToken[];
}

export function revokeApiToken(db: Db, id: number, now: Date): void {
  db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
    now.toISOString(),
    id,
  );
}
