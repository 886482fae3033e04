import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeApiToken, userForApiToken } from '../src/auth/api-tokens.ts';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import { createSession, endSession, findSession, sessionHours } from '../src/auth/sessions.ts';
import { addUser, authenticate, setUserDisabled, UserError } from '../src/auth/users.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

let folder: { path: string; remove(): Promise<void> };
let db: Db;
const now = new Date('2026-11-26T08:00:00Z');

beforeAll(async () => {
  folder = await temporaryFolder('auth');
  db = openDatabase(path.join(folder.path, 'station.db'));
});

afterAll(async () => {
  db?.close();
  await folder?.remove();
});

describe('passwords', () => {
  it('are salted scrypt hashes that verify only the same password', async () => {
    const first = await hashPassword('密码 with spaces');
    const second = await hashPassword('密码 with spaces');
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('密码 with spaces', first)).toBe(true);
    expect(await verifyPassword('密码 with space', first)).toBe(false);
    expect(await verifyPassword('anything', 'plain-text')).toBe(false);
  });
});

describe('users', () => {
  it('authenticate by name and password, and not once disabled', async () => {
    const user = await addUser(db, { name: 'clerk1', role: 'clerk', password: 'clerk-password' }, now);
    expect(await authenticate(db, 'clerk1', 'clerk-password')).toMatchObject({ id: user.id, role: 'clerk' });
    expect(await authenticate(db, 'nobody', 'clerk-password')).toBeNull();
    setUserDisabled(db, user.id, true);
    expect(await authenticate(db, 'clerk1', 'clerk-password')).toBeNull();
    setUserDisabled(db, user.id, false);
  });

  it('refuse an unknown role, an officer without a badge and a short password', async () => {
    await expect(addUser(db, { name: 'x', role: 'boss', password: 'long-password' }, now)).rejects.toThrow(
      UserError,
    );
    await expect(addUser(db, { name: 'y', role: 'officer', password: 'long-password' }, now)).rejects.toThrow(
      /badge/,
    );
    await expect(addUser(db, { name: 'z', role: 'clerk', password: 'short' }, now)).rejects.toThrow(/8/);
  });
});

describe('sessions', () => {
  it('are found by the cookie token until they expire or end, and are stored only as a hash', async () => {
    const user = await addUser(db, { name: 'leader1', role: 'leader', password: 'leader-password' }, now);
    const { token, csrfToken } = createSession(db, user.id, now);
    expect(findSession(db, token, now)).toMatchObject({ user: { name: 'leader1' }, csrfToken });
    expect(db.prepare('SELECT COUNT(*) FROM sessions WHERE id = ?').pluck().get(token)).toBe(0);
    const later = new Date(now.getTime() + sessionHours * 3600_000 + 1);
    expect(findSession(db, token, later)).toBeNull();
    const second = createSession(db, user.id, now);
    endSession(db, second.token);
    expect(findSession(db, second.token, now)).toBeNull();
  });

  it('end when the user is disabled', async () => {
    const user = await addUser(db, { name: 'ops1', role: 'ops', password: 'ops-password' }, now);
    const { token } = createSession(db, user.id, now);
    setUserDisabled(db, user.id, true);
    expect(findSession(db, token, now)).toBeNull();
  });
});

describe('API tokens', () => {
  it('act as their user until revoked', async () => {
    const user = await addUser(db, { name: 'auditor1', role: 'auditor', password: 'auditor-password' }, now);
    const { id, token } = createApiToken(db, user.id, 'records system', now);
    expect(token.startsWith('bwc_')).toBe(true);
    expect(userForApiToken(db, token, now)).toMatchObject({ name: 'auditor1' });
    expect(userForApiToken(db, `${token}x`, now)).toBeNull();
    revokeApiToken(db, id, now);
    expect(userForApiToken(db, token, now)).toBeNull();
  });
});
