import { hash, randomBytes } from 'node:crypto';
import { type Db, statement } from '../ledger/database.ts';
import { toUser, type User, type UserFields, userColumns } from './users.ts';

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const hashToken = (token: string) => hash('sha256', token, 'hex');
const tokenPrefix = 'bwc_';

/** A token for another system on the station; it acts as its user. Shown once, stored as a hash. */
export function createApiToken(
  db: Db,
  userId: number,
  name: string,
  now: Date,
): { id: number; token: string } {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  const result = db
    .prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)')
    .run(userId, name, hashToken(token), now.toISOString());
  return { id: Number(result.lastInsertRowid), token };
}

export function userForApiToken(db: Db, token: string, now: Date): User | null {
  if (!token.startsWith(tokenPrefix)) return null;
  const row = statement(
    db,
    `SELECT t.id AS token_id, t.last_used_at, ${userColumns} FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
  ).get(hashToken(token)) as (UserFields & { token_id: number; last_used_at: string | null }) | undefined;
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
      `SELECT id, user_id AS userId, name, created_at AS createdAt, last_used_at AS lastUsedAt,
         revoked_at AS revokedAt FROM api_tokens ORDER BY id`,
    )
    .all() as ApiToken[];
}

export function revokeApiToken(db: Db, id: number, now: Date): void {
  db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
    now.toISOString(),
    id,
  );
}
