import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/auth/api-tokens.ts';
import { addUser, findUserByName } from '../src/auth/users.ts';
import { formatDateTime } from '../src/i18n/format.ts';
import {
  type DashboardServer,
  HttpClient,
  loggedIn,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { loginFrom } from './helpers/raw-http.ts';
import { runStation } from './helpers/station-cli.ts';

let server: DashboardServer;
const accountFailures = 3;
const sourceFailures = 12;

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures, sourceFailures } });
});
afterAll(async () => {
  await server?.close();
});

const auditRows = (action: string) =>
  server.station.db
    .prepare('SELECT actor, subject_id AS subjectId, detail FROM audit_log WHERE action = ? ORDER BY id')
    .all(action) as { actor: string; subjectId: string; detail: string }[];

describe('guessing passwords', () => {
  it('locks an account after a few wrong passwords, whatever address they come from', async () => {
    for (let attempt = 0; attempt < accountFailures; attempt++)
      expect(
        (await loginFrom(server.baseUrl, `127.0.1.${attempt + 1}`, 'ops', `guess ${attempt}`)).status,
      ).toBe(401);
    // Even the right password is not checked while the account is locked.
    const locked = await loginFrom(server.baseUrl, '127.0.1.9', 'ops', passwordOf('ops'));
    expect(locked.status).toBe(429);
    // The lock is a minute from the last wrong password; a slow machine may have used a second of it.
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(locked.body).toContain('id="login-locked"');
    const [lock] = auditRows('login-locked').map((row) => JSON.parse(row.detail));
    expect(lock).toMatchObject({ name: 'ops', failures: accountFailures });
  });

  it('limits one address however many made-up names it tries, and logs the junk as one entry', async () => {
    const db = server.station.db;
    const rowsBefore = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 60; attempt++)
      statuses.push((await loginFrom(server.baseUrl, '127.0.2.1', `junk-${attempt}`, 'whatever')).status);
    expect(statuses.slice(0, sourceFailures)).toEqual(Array(sourceFailures).fill(401));
    expect(statuses.slice(sourceFailures)).toEqual(Array(60 - sourceFailures).fill(429));
    const junk = auditRows('login-failed').filter((row) => row.subjectId === '127.0.2.1');
    // The first name at once, the rest of the window when the address was locked.
    expect(junk.map((row) => JSON.parse(row.detail).attempts)).toEqual([1, sourceFailures - 1]);
    expect(junk.every((row) => row.actor === 'anonymous')).toBe(true);
    const rowsAfter = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    expect(rowsAfter - rowsBefore).toBe(3); // two summaries and the address lock
    // Another address is not affected, and the real user there logs in.
    expect((await loginFrom(server.baseUrl, '127.0.2.2', 'clerk', passwordOf('clerk'))).status).toBe(303);
  });

  it('limits spraying one password over the real names from one address', async () => {
    // Accounts of their own: two wrong passwords each stay below the account lock, so only the
    // address limit can stop the spray (and later tests' accounts stay unlocked).
    const names = ['spray1', 'spray2', 'spray3', 'spray4', 'spray5', 'spray6'];
    for (const name of names)
      await addUser(server.station.db, { name, role: 'ops', password: `${name} passphrase` }, new Date());
    const statuses: number[] = [];
    for (let round = 0; round < accountFailures - 1; round++)
      for (const name of names)
        statuses.push((await loginFrom(server.baseUrl, '127.0.3.1', name, 'Winter2026!')).status);
    expect(statuses).toEqual(Array(sourceFailures).fill(401));
    // The address is now limited, even for a right password of an account it never tried.
    expect((await loginFrom(server.baseUrl, '127.0.3.1', 'spray1', 'spray1 passphrase')).status).toBe(429);
    expect(auditRows('login-throttled').map((row) => row.subjectId)).toContain('127.0.3.1');
  });

  it('a flood of made-up names does not flush an account lock', async () => {
    for (let attempt = 0; attempt < accountFailures; attempt++)
      await loginFrom(server.baseUrl, '127.0.4.1', 'leader', `guess ${attempt}`);
    for (let source = 2; source < 12; source++)
      for (let attempt = 0; attempt < 2; attempt++)
        await loginFrom(server.baseUrl, `127.0.4.${source}`, `flood-${source}-${attempt}`, 'x');
    expect((await loginFrom(server.baseUrl, '127.0.4.200', 'leader', passwordOf('leader'))).status).toBe(429);
  });
});

describe('passwords and account names', () => {
  it('refuses weak passwords and reserved names, in the dashboard and the CLI', async () => {
    const admin = await loggedIn(server, 'admin');
    const tries: [string, string][] = [
      ['weak1', '12345678'],
      ['samename', 'samename'],
      ['keyboard', 'qwertyuiop'],
      ['station', 'a perfectly fine passphrase'],
      ['System', 'a perfectly fine passphrase'],
    ];
    for (const [name, password] of tries) {
      const response = await admin.post('/users', { name, realName: '王丽', role: 'clerk', password });
      expect(response.status).toBe(400);
      expect(findUserByName(server.station.db, name)).toBeNull();
    }
    const cli = await runStation(['users', 'add', 'station', '--role', 'clerk', '--password-stdin'], {
      home: `${server.folder}/home`,
      input: 'a perfectly fine passphrase\n',
    });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/为系统保留/);
  });

  it('lets the logged-in user change their password, which ends their other sessions', async () => {
    const here = await loggedIn(server, 'auditor');
    const elsewhere = await loggedIn(server, 'auditor');
    const weak = await here.post('/account/password', {
      current: passwordOf('auditor'),
      password: 'auditor',
      repeat: 'auditor',
    });
    expect(weak.status).toBe(400);
    const wrong = await here.post('/account/password', {
      current: 'not my password',
      password: 'a new long passphrase',
      repeat: 'a new long passphrase',
    });
    expect(wrong.status).toBe(400);
    const changed = await here.post('/account/password', {
      current: passwordOf('auditor'),
      password: 'a new long passphrase',
      repeat: 'a new long passphrase',
    });
    expect(changed.status).toBe(303);
    expect((await here.get('/ledger')).status).toBe(200);
    expect((await elsewhere.get('/ledger')).status).toBe(303);
    expect((await new HttpClient(server.baseUrl).login('auditor', passwordOf('auditor'))).status).toBe(401);
    expect((await new HttpClient(server.baseUrl).login('auditor', 'a new long passphrase')).status).toBe(303);
    expect(auditRows('password-change').map((row) => row.actor)).toContain('auditor');
  });

  it('sets a password from the CLI with --password-stdin, ending the sessions', async () => {
    const clerk = await loggedIn(server, 'clerk');
    const home = `${server.folder}/home`;
    const weak = await runStation(['users', 'passwd', 'clerk', '--password-stdin'], {
      home,
      input: 'clerk\n',
    });
    expect(weak.code).toBe(2);
    const set = await runStation(['users', 'passwd', 'clerk', '--password-stdin'], {
      home,
      input: 'clerk passphrase from the cli\n',
    });
    expect(set.code).toBe(0);
    expect((await clerk.get('/ledger')).status).toBe(303);
    expect(
      (await new HttpClient(server.baseUrl).login('clerk', 'clerk passphrase from the cli')).status,
    ).toBe(303);
    const unknown = await runStation(['users', 'passwd', 'nobody', '--password-stdin'], {
      home,
      input: 'x\n',
    });
    expect(unknown.code).toBe(2);
  });
});

describe('API tokens', () => {
  it('expire: a lifetime is set when made (90 days unless asked), shown, and enforced', async () => {
    const admin = await loggedIn(server, 'admin');
    // An admin mints tokens for themselves only (custody); the lifetime rule is the same for all.
    const self = findUserByName(server.station.db, 'admin')!;
    const made = await admin.post(`/users/${self.id}/tokens`, { name: 'monitoring', days: '30' });
    expect(made.status).toBe(303);
    const page = await (await admin.get(made.headers.get('location')!)).text();
    const token = /id="new-token">([^<]+)</.exec(page)![1];
    expect(
      (await fetch(`${server.baseUrl}/api/docks`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const row = server.station.db
      .prepare("SELECT created_at, expires_at FROM api_tokens WHERE name = 'monitoring'")
      .get() as { created_at: string; expires_at: string };
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(30 * 86_400_000);
    expect(page).toContain(formatDateTime(row.expires_at, server.station.config.station.timezone));

    // Made 91 days ago with the default lifetime: no longer accepted.
    const old = createApiToken(server.station.db, self.id, 'old', new Date(Date.now() - 91 * 86_400_000));
    const refused = await fetch(`${server.baseUrl}/api/docks`, {
      headers: { authorization: `Bearer ${old.token}` },
    });
    expect(refused.status).toBe(401);
  });
});
