import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeApiToken } from '../src/auth/api-tokens.ts';
import { findUserByName } from '../src/auth/users.ts';
import { canView } from '../src/custody/access-policy.ts';
import {
  createAccessRequest,
  decideAccessRequest,
  findAccessRequest,
} from '../src/custody/access-requests.ts';
import { removeEndedExports } from '../src/custody/export-cleanup.ts';
import type { Recording } from '../src/ledger/recordings.ts';
import { fixedClock } from '../src/time/clock.ts';
import { openTestStation, tokenEnv, useIngestedHomes } from './helpers/custody-fixtures.ts';
import {
  type DashboardServer,
  HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

// Issue 12 tried again as an insider, on the real server: the ways round the two-person rule and the
// record that the first review of the fixes left open.

const day = 86_400_000;

async function ask(server: DashboardServer, client: HttpClient, form: Record<string, string>) {
  const response = await client.post('/access/request', form);
  expect(response.status, await response.text()).toBe(303);
  return Number(server.station.db.prepare('SELECT MAX(id) FROM access_requests').pluck().get());
}

describe('an administrator who disables every leader', () => {
  let server: DashboardServer;
  beforeAll(async () => {
    server = await startDashboard();
  });
  afterAll(async () => server?.close());

  it('does not get a "first leader" who is active at once', async () => {
    const { db } = server.station;
    const admin = await loggedIn(server, 'admin');
    const leader = findUserByName(db, 'leader')!;
    expect((await admin.post(`/users/${leader.id}/disabled`, { disabled: 'true' })).status).toBe(303);
    const made = await admin.post('/users', {
      name: 'usurper',
      realName: '冒名',
      role: 'leader',
      password: passwordOf('usurper'),
    });
    expect(made.status, await made.text()).toBe(303);
    expect(findUserByName(db, 'usurper')).toMatchObject({ awaitingConfirmation: true, disabled: true });
    expect((await new HttpClient(server.baseUrl).login('usurper', passwordOf('usurper'))).status).not.toBe(
      303,
    );
    const entry = db
      .prepare(
        "SELECT detail FROM audit_log WHERE action = 'user-change' AND subject_id = ? ORDER BY id DESC",
      )
      .pluck()
      .get(String(findUserByName(db, 'usurper')!.id)) as string;
    expect(JSON.parse(entry)).not.toHaveProperty('firstLeader');
  });
});

describe('tokens and sessions that should be dead', () => {
  let server: DashboardServer;
  beforeAll(async () => {
    server = await startDashboard();
  });
  afterAll(async () => server?.close());

  it("refuse an expired token, a disabled user's token and session, and a revoked token", async () => {
    const { db } = server.station;
    const clerk = findUserByName(db, 'clerk')!;
    const api = (token: string) =>
      fetch(new URL('/api/ledger', server.baseUrl), { headers: { authorization: `Bearer ${token}` } });
    const live = createApiToken(db, clerk.id, 'live', new Date()).token;
    const expired = createApiToken(db, clerk.id, 'old', new Date(Date.now() - 2 * day), 1).token;
    const revoked = createApiToken(db, clerk.id, 'revoked', new Date());
    revokeApiToken(db, revoked.id, new Date());
    expect((await api(live)).status).toBe(200);
    expect((await api(expired)).status).toBe(401);
    expect((await api(revoked.token)).status).toBe(401);
    const session = await loggedIn(server, 'clerk');
    const admin = await loggedIn(server, 'admin');
    expect((await admin.post(`/users/${clerk.id}/disabled`, { disabled: 'true' })).status).toBe(303);
    expect((await api(live)).status).toBe(401);
    expect((await session.get('/ledger')).status).toBe(303);
  });
});

describe('a clock set back', () => {
  const clock = fixedClock(new Date());
  let server: DashboardServer;
  let own: Recording;
  let other: Recording;
  beforeAll(async () => {
    server = await startDashboard({}, clock);
    own = (await ingestSampleRecorder(server, { name: 'own', serial: 'A000001', badge: officerBadge })).report
      .recordings[0];
    other = (await ingestSampleRecorder(server, { name: 'other', serial: 'A000002', badge: '010002' })).report
      .recordings[0];
    await server.station.playback.whenIdle();
  });
  afterAll(async () => server?.close());

  it('does not reopen a grant that has ended: no new disc, no playing', async () => {
    const start = clock.now();
    const [clerk, officer, leader] = [
      await loggedIn(server, 'clerk'),
      await loggedIn(server, 'officer'),
      await loggedIn(server, 'leader'),
    ];
    const copy = await ask(server, clerk, {
      recordings: String(own.id),
      purpose: 'training',
      mode: 'copy',
      days: '1',
    });
    const view = await ask(server, officer, {
      recordings: String(other.id),
      purpose: 'training',
      mode: 'view',
      days: '1',
    });
    for (const id of [copy, view])
      expect((await leader.post('/access/approve', { id: String(id) })).status).toBe(303);
    const exported = await clerk.post('/access/export', { id: String(copy) });
    expect(exported.status).toBe(303);
    // A HEAD of the disc serves no byte, so it is no download on the record; the GET is.
    const iso = `${exported.headers.get('location')!.replace('/access/export?', '/access/export/iso?')}`;
    const downloads = () =>
      server.station.db
        .prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'download' AND subject_id = ?")
        .pluck()
        .get(String(copy));
    expect((await clerk.request('HEAD', iso)).status).toBe(200);
    expect(downloads()).toBe(0);
    expect((await clerk.get(iso)).status).toBe(200);
    expect(downloads()).toBe(1);
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(200);

    // The grants end; the station goes on (the export folder is removed, people sign in again).
    clock.advance(2 * day);
    await removeEndedExports(server.station.db, clock.now());
    const lateClerk = await loggedIn(server, 'clerk');
    const lateOfficer = await loggedIn(server, 'officer');

    // Someone sets the PC's clock back to within the grants (by hand, or with a forged time server).
    clock.set(new Date(start.getTime() + 3600_000));
    expect(findAccessRequest(server.station.db, copy)?.state).toBe('approved');
    expect((await lateClerk.post('/access/export', { id: String(copy) })).status).toBe(409);
    expect((await lateOfficer.get(`/recordings/${other.id}/media`)).status).toBe(404);
  });
});

describe('a clock set back on a station where nobody asked for anything since the grant ended', () => {
  const clock = fixedClock(new Date());
  let server: DashboardServer;
  let other: Recording;
  beforeAll(async () => {
    server = await startDashboard({}, clock);
    other = (await ingestSampleRecorder(server, { name: 'other', serial: 'A000002', badge: '010002' })).report
      .recordings[0];
    await server.station.playback.whenIdle();
  });
  afterAll(async () => server?.close());

  it('does not reopen the grant: its end is on the record once the station has seen it pass', async () => {
    const start = clock.now();
    const officer = await loggedIn(server, 'officer');
    const leader = await loggedIn(server, 'leader');
    const view = await ask(server, officer, {
      recordings: String(other.id),
      purpose: 'training',
      mode: 'view',
      days: '1',
    });
    expect((await leader.post('/access/approve', { id: String(view) })).status).toBe(303);
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(200);
    // Only the station's own ten-minute job runs after the grant's end.
    clock.advance(day + 600_000);
    await removeEndedExports(server.station.db, clock.now());
    clock.set(new Date(start.getTime() + 3600_000));
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(404);
    // A grant approved while the clock is behind runs from the time on the record, not the clock's.
    const again = await ask(server, officer, {
      recordings: String(other.id),
      purpose: 'training',
      mode: 'view',
      days: '1',
    });
    expect((await leader.post('/access/approve', { id: String(again) })).status).toBe(303);
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(200);
  });
});

describe('the command line', () => {
  const homes = useIngestedHomes();

  it('takes no decision on a name the token does not prove, and two leaders deciding at once decide once', async () => {
    const home = await homes.fresh();
    const station = await openTestStation(home);
    const { db } = station;
    db.prepare(
      "INSERT INTO users (name, role, password_hash, created_at) VALUES ('leader2', 'leader', 'not-used', ?)",
    ).run(new Date().toISOString());
    const ids = [1, 2].map(
      () =>
        createAccessRequest(
          db,
          { user: 'clerk', purpose: 'training', mode: 'copy', recordingIds: [1] },
          new Date(),
        ).id,
    );
    const leaderEnv = tokenEnv(db, 'leader');
    const leader2Env = tokenEnv(db, 'leader2');
    const clerkEnv = tokenEnv(db, 'clerk');
    station.close();

    // The clerk's own token does not make them the leader.
    const borrowed = await runStation(['access', 'approve', String(ids[0]), '--by', 'leader'], {
      home,
      env: clerkEnv,
    });
    expect(borrowed.code).toBe(1);

    const runs = await Promise.all(
      ids.flatMap((id) => [
        runStation(['access', 'approve', String(id), '--by', 'leader'], { home, env: leaderEnv }),
        runStation(['access', 'refuse', String(id), '--by', 'leader2'], { home, env: leader2Env }),
      ]),
    );
    expect(runs.map((run) => run.code).sort()).toEqual([0, 0, 1, 1]);
    const after = await openTestStation(home);
    try {
      for (const id of ids) {
        const decisions = after.db
          .prepare(
            `SELECT actor, detail FROM audit_log WHERE subject_type = 'access-request' AND subject_id = ?
               AND json_extract(detail, '$.decision') IS NOT NULL`,
          )
          .all(String(id)) as { actor: string; detail: string }[];
        expect(decisions).toHaveLength(1);
        const request = findAccessRequest(after.db, id)!;
        expect(request.state).toBe(JSON.parse(decisions[0].detail).decision);
        expect(request.decidedBy).toBe(decisions[0].actor);
      }
    } finally {
      after.close();
    }
  });
});

describe('a grant widened in station.db', () => {
  const homes = useIngestedHomes();

  it('is named by station verify and honoured neither by the player nor by the export', async () => {
    const home = await homes.fresh();
    const station = await openTestStation(home);
    const { db } = station;
    // The auditor is granted three days of viewing recording #1 (not #2), properly.
    const request = createAccessRequest(
      db,
      { user: 'auditor', purpose: 'audit-organ', mode: 'view', recordingIds: [1], days: 3 },
      new Date(),
    );
    decideAccessRequest(db, request.id, { by: 'leader', approve: true }, new Date());
    const copy = createAccessRequest(
      db,
      { user: 'clerk', purpose: 'training', mode: 'copy', recordingIds: [1], days: 1 },
      new Date(),
    );
    station.close();
    expect((await runStation(['verify'], { home })).code).toBe(0);

    // Someone with a shell widens it to #2, for ten years, and approves the clerk's copy themselves.
    const file = new Database(path.join(home, 'station.db'));
    file
      .prepare('INSERT INTO access_request_recordings (request_id, recording_id) VALUES (?, 2)')
      .run(request.id);
    file
      .prepare("UPDATE access_requests SET valid_until = '2036-01-01T00:00:00.000Z' WHERE id = ?")
      .run(request.id);
    file
      .prepare(
        `UPDATE access_requests SET state = 'approved', decided_by = (SELECT id FROM users WHERE name = 'leader'),
           decided_at = ?, valid_from = ?, valid_until = '2036-01-01T00:00:00.000Z' WHERE id = ?`,
      )
      .run(new Date().toISOString(), new Date().toISOString(), copy.id);
    file.close();

    const verified = await runStation(['verify', '--json'], { home });
    expect(verified.code).toBe(1);
    const report = parseJson<{ grants: { problems: { requestId: number; detail: string }[] } }>(verified);
    expect(report.grants.problems).toEqual([
      {
        requestId: request.id,
        detail: expect.stringMatching(/recordings \[1,2\], recorded \[1\].*valid until/),
      },
      { requestId: copy.id, detail: expect.stringContaining('state "approved", recorded "pending"') },
    ]);

    const reopened = await openTestStation(home);
    try {
      const auditor = findUserByName(reopened.db, 'auditor')!;
      expect(canView(reopened.db, auditor, 2, new Date()).allowed).toBe(false);
      const exported = await runStation(
        ['export', String(copy.id), '--out', path.join(home, 'out'), '--by', 'clerk'],
        { home, env: tokenEnv(reopened.db, 'clerk') },
      );
      expect(exported.code, exported.stderr).toBe(1);
      expect(exported.stderr).toContain('与审计日志记录不符');
    } finally {
      reopened.close();
    }
  });

  it('has its 事由 and 申请方 under the seal too, while a request without them still verifies', async () => {
    const home = await homes.fresh();
    const station = await openTestStation(home);
    const withWords = createAccessRequest(
      station.db,
      {
        user: 'auditor',
        purpose: 'judicial-organ',
        mode: 'copy',
        recordingIds: [1],
        reason: '（2026）民初 123 号案件取证',
        requestingParty: '某区人民法院',
      },
      new Date(),
    );
    // As every request made before 事由 and 申请方 existed: neither in its row nor in its entry.
    const without = createAccessRequest(
      station.db,
      { user: 'clerk', purpose: 'training', mode: 'view', recordingIds: [1] },
      new Date(),
    );
    station.close();
    expect((await runStation(['verify'], { home })).code).toBe(0);

    const file = new Database(path.join(home, 'station.db'));
    file
      .prepare("UPDATE access_requests SET reason = '无', requesting_party = '某律师事务所' WHERE id = ?")
      .run(withWords.id);
    file.prepare("UPDATE access_requests SET reason = '补写的事由' WHERE id = ?").run(without.id);
    file.close();

    const verified = await runStation(['verify'], { home, env: { LOG_LEVEL: 'error' } });
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(
      `调阅申请 #${withWords.id}：事由现为 "无"，审计日志记为 "（2026）民初 123 号案件取证"、申请方现为 "某律师事务所"，审计日志记为 "某区人民法院"`,
    );
    expect(verified.stdout).toContain(`调阅申请 #${without.id}：事由现为 "补写的事由"，审计日志记为 null`);
    const report = parseJson<{ grants: { problems: { requestId: number; detail: string }[] } }>(
      await runStation(['verify', '--json'], { home }),
    );
    expect(report.grants.problems.map((problem) => problem.detail)).toEqual([
      'reason "无", recorded "（2026）民初 123 号案件取证", requesting party "某律师事务所", recorded "某区人民法院"',
      'reason "补写的事由", recorded null',
    ]);
  });
});
