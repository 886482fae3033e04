import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, findUserByName } from '../src/auth/users.ts';
import { findAccessRequest } from '../src/custody/access-requests.ts';
import { closeDueWindows } from '../src/custody/audit-windows.ts';
import { removeEndedExports } from '../src/custody/export-cleanup.ts';
import { verifyRecordingSeals } from '../src/custody/recording-seal.ts';
import { findRecording, type Recording } from '../src/ledger/recordings.ts';
import {
  type DashboardServer,
  HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';

// Issue 12 on the real server: each finding as the insider tried it, and what the station does now.

let server: DashboardServer;
let own: Recording;
let other: Recording;
let leader: HttpClient;
let leader2: HttpClient;
let clerk: HttpClient;

interface Entry {
  id: number;
  actor: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  detail: Record<string, unknown>;
}

/** Audit entries after `afterId`, detail parsed. */
function entriesAfter(afterId: number): Entry[] {
  return (
    server.station.db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id').all(afterId) as (Entry & {
      detail: string;
    })[]
  ).map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
}
const headId = () => Number(server.station.db.prepare('SELECT MAX(id) FROM audit_log').pluck().get());
const closeAllWindows = () => closeDueWindows(server.station.db, new Date(), 0, true);

async function ask(client: HttpClient, form: Record<string, string>): Promise<number> {
  const response = await client.post('/access/request', form);
  expect(response.status, await response.text()).toBe(303);
  return Number(server.station.db.prepare('SELECT MAX(id) FROM access_requests').pluck().get());
}

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures: 100, sourceFailures: 1000 } });
  own = (await ingestSampleRecorder(server, { name: 'own', serial: 'A000001', badge: officerBadge })).report
    .recordings[0];
  other = (await ingestSampleRecorder(server, { name: 'other', serial: 'A000002', badge: '010002' })).report
    .recordings[0];
  await server.station.playback.whenIdle();
  await addUser(
    server.station.db,
    { name: 'leader2', role: 'leader', password: passwordOf('leader2') },
    new Date(),
  );
  leader = await loggedIn(server, 'leader');
  leader2 = await loggedIn(server, 'leader2');
  clerk = await loggedIn(server, 'clerk');
});

afterAll(async () => {
  await server?.close();
});

describe('finding 1: the administrator is never in the footage path', () => {
  it('cannot request, approve, view, export or play footage', async () => {
    const admin = await loggedIn(server, 'admin');
    const pending = await ask(clerk, { recordings: String(own.id), purpose: 'training', mode: 'copy' });
    expect(
      (await admin.post('/access/request', { recordings: String(own.id), purpose: 'training', mode: 'copy' }))
        .status,
    ).toBe(403);
    expect((await admin.post('/access/approve', { id: String(pending) })).status).toBe(403);
    expect((await admin.post('/access/export', { id: String(pending) })).status).toBe(403);
    expect((await admin.get(`/recordings/${own.id}`)).status).toBe(403);
    expect((await admin.get(`/recordings/${own.id}/media`)).status).toBe(403);
    expect(findAccessRequest(server.station.db, pending)?.state).toBe('pending');
  });

  it('cannot mint an API token for another user; the attempt is on the record', async () => {
    const admin = await loggedIn(server, 'admin');
    const leaderUser = findUserByName(server.station.db, 'leader')!;
    const tokens = () => server.station.db.prepare('SELECT COUNT(*) FROM api_tokens').pluck().get();
    const before = tokens();
    const since = headId();
    const minted = await admin.post(`/users/${leaderUser.id}/tokens`, { name: 'borrowed' });
    expect(minted.status).toBe(403);
    expect(tokens()).toBe(before);
    expect(entriesAfter(since)).toContainEqual(
      expect.objectContaining({
        actor: 'admin',
        action: 'access-refused',
        subject_id: String(leaderUser.id),
      }),
    );
  });

  it('makes a leader or clerk account that cannot sign in until an existing leader confirms it', async () => {
    const admin = await loggedIn(server, 'admin');
    for (const [name, role] of [
      ['new-leader', 'leader'],
      ['new-clerk', 'clerk'],
    ]) {
      const made = await admin.post('/users', {
        name,
        realName: `${role}的姓名`,
        role,
        password: passwordOf(name),
      });
      expect(made.status, await made.text()).toBe(303);
      const account = findUserByName(server.station.db, name)!;
      expect(account).toMatchObject({ awaitingConfirmation: true, disabled: true });
      expect((await new HttpClient(server.baseUrl).login(name, passwordOf(name))).status).not.toBe(303);
      // Enabling it is not confirming it.
      await admin.post(`/users/${account.id}/disabled`, { disabled: 'false' });
      expect((await new HttpClient(server.baseUrl).login(name, passwordOf(name))).status).not.toBe(303);
    }
    const accounts = await (await leader.get('/access')).text();
    expect(accounts).toContain('data-account="new-leader"');
    // The leader being confirmed cannot confirm themselves; ops cannot confirm at all.
    const newLeader = findUserByName(server.station.db, 'new-leader')!;
    const ops = await loggedIn(server, 'ops');
    expect((await ops.post('/access/accounts/confirm', { id: String(newLeader.id) })).status).toBe(403);
    expect((await leader.post('/access/accounts/confirm', { id: String(newLeader.id) })).status).toBe(303);
    expect((await new HttpClient(server.baseUrl).login('new-leader', passwordOf('new-leader'))).status).toBe(
      303,
    );
    const confirmation = server.station.db
      .prepare(
        "SELECT detail FROM audit_log WHERE action = 'user-change' AND actor = 'leader' ORDER BY id DESC",
      )
      .pluck()
      .get() as string;
    expect(JSON.parse(confirmation)).toEqual({ confirmed: 'new-leader', role: 'leader' });
  });
});

describe('finding 2: requester and approver are two people', () => {
  it('refuses a leader approving their own copy request, and takes another leader’s approval', async () => {
    const own365 = await ask(leader, {
      recordings: String(own.id),
      purpose: 'judicial-organ',
      mode: 'copy',
      days: '365',
    });
    const since = headId();
    const self = await leader.post('/access/approve', { id: String(own365) });
    expect(self.status).toBe(409);
    expect(await self.text()).toContain('不能自己审批，须由另一位负责人审批');
    expect(findAccessRequest(server.station.db, own365)?.state).toBe('pending');
    expect(entriesAfter(since)).toContainEqual(
      expect.objectContaining({ actor: 'leader', action: 'access-refused', subject_id: String(own365) }),
    );
    expect((await leader2.post('/access/approve', { id: String(own365) })).status).toBe(303);
    expect(findAccessRequest(server.station.db, own365)).toMatchObject({
      state: 'approved',
      decidedBy: 'leader2',
    });
  });
});

describe('finding 3: every byte served is on the record', () => {
  it('logs a download that does not start at byte 0, coalescing a player’s ranges with the ranges served', async () => {
    closeAllWindows();
    const since = headId();
    const whole = await clerk.get(`/recordings/${own.id}/media`, { range: 'bytes=1-' });
    expect(whole.status).toBe(206);
    const size = own.sizeBytes;
    expect((await whole.arrayBuffer()).byteLength).toBe(size - 1);
    const opened = entriesAfter(since).filter((entry) => entry.action === 'view');
    expect(opened).toEqual([
      expect.objectContaining({
        actor: 'clerk',
        subject_id: String(own.id),
        detail: expect.objectContaining({ via: 'player', ranges: [[1, size - 1]], bytes: size - 1 }),
      }),
    ]);
    await (await clerk.get(`/recordings/${own.id}/media`, { range: 'bytes=0-99' })).arrayBuffer();
    await (await clerk.get(`/recordings/${own.id}/media`, { range: 'bytes=50-199' })).arrayBuffer();
    // Still one entry while the window is open; its closing entry lists what the window served.
    expect(entriesAfter(since).filter((entry) => entry.action === 'view')).toHaveLength(1);
    closeAllWindows();
    const [, closing] = entriesAfter(since).filter((entry) => entry.action === 'view');
    expect(closing.detail).toMatchObject({
      ranges: [[0, size - 1]],
      bytes: size - 1 + 100 + 150,
      requests: 3,
      window: expect.objectContaining({ openingEntry: opened[0].id, events: 3 }),
    });
  });

  it('counts loading the detail page as a page view, not a playback, and its player loads nothing', async () => {
    const since = headId();
    const page = await (await clerk.get(`/recordings/${own.id}`)).text();
    expect(page).toMatch(/<video id="player" controls preload="none"/);
    const views = entriesAfter(since).filter((entry) => entry.action === 'view');
    expect(views.map((entry) => entry.detail.via)).toEqual(['detail']);
  });
});

describe('finding 6: reassigning an assigned recording is a correction a leader approves', () => {
  it('refuses the clerk’s direct reassignment, takes a request with a reason and applies it once another leader approves', async () => {
    const assign = await clerk.post(`/recordings/${own.id}/assign`, { badge: '010002' });
    expect(assign.status).toBe(409);
    expect(findRecording(server.station.db, own.id)?.badge).toBe(officerBadge);
    expect(
      (await clerk.post(`/recordings/${own.id}/reassign`, { badge: '010002', reason: '文件名工号写错' }))
        .status,
    ).toBe(303);
    const move = Number(server.station.db.prepare('SELECT MAX(id) FROM reassignment_requests').pluck().get());
    expect(findRecording(server.station.db, own.id)?.badge).toBe(officerBadge);
    expect(await (await leader.get('/access')).text()).toContain(`data-reassignment="${move}"`);
    expect((await clerk.post('/access/reassignments/approve', { id: String(move) })).status).toBe(403);
    const since = headId();
    expect((await leader.post('/access/reassignments/approve', { id: String(move) })).status).toBe(303);
    expect(findRecording(server.station.db, own.id)).toMatchObject({ badge: '010002', officerName: '李四' });
    expect(entriesAfter(since)).toContainEqual(
      expect.objectContaining({
        action: 'correction',
        actor: 'leader',
        detail: expect.objectContaining({
          reason: '文件名工号写错',
          requestedBy: 'clerk',
          approvedBy: 'leader',
        }),
      }),
    );
    expect(verifyRecordingSeals(server.station.db).problems).toEqual([]);
    // Put back the same way, for the tests after this one.
    await clerk.post(`/recordings/${own.id}/reassign`, { badge: officerBadge, reason: '恢复' });
    const back = Number(server.station.db.prepare('SELECT MAX(id) FROM reassignment_requests').pluck().get());
    expect((await leader2.post('/access/reassignments/approve', { id: String(back) })).status).toBe(303);
  });
});

describe('finding 14: failed and refused attempts leave a trace that junk cannot flood', () => {
  it('records an officer asking for another officer’s recording', async () => {
    closeAllWindows();
    const officer = await loggedIn(server, 'officer');
    const since = headId();
    expect((await officer.get(`/recordings/${other.id}`)).status).toBe(404);
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(404);
    const refused = entriesAfter(since).filter((entry) => entry.action === 'access-refused');
    expect(refused).toEqual([
      expect.objectContaining({
        actor: 'officer',
        detail: expect.objectContaining({ reason: 'not-found', subjects: [`recording ${other.id} detail`] }),
      }),
    ]);
    closeAllWindows();
    expect(entriesAfter(since).at(-1)?.detail).toMatchObject({
      attempts: 2,
      subjects: [`recording ${other.id} detail`, `recording ${other.id} media`],
    });
  });

  it('records anonymous media and disc requests, a hundred and one of them in two entries', async () => {
    closeAllWindows();
    const since = headId();
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(new URL(`/recordings/${(attempt % 7) + 1}/media`, server.baseUrl), {
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
    }
    const disc = await fetch(
      new URL('/access/export/iso?request=1&folder=1-20261201T000000Z', server.baseUrl),
      {
        redirect: 'manual',
      },
    );
    expect(disc.status).toBe(303);
    closeAllWindows();
    const refused = entriesAfter(since).filter((entry) => entry.action === 'access-refused');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({
      actor: 'anonymous',
      detail: { reason: 'no-session', source: '127.0.0.1' },
    });
    expect(refused[1].detail).toMatchObject({ attempts: 101 });
    expect(refused[1].detail.subjects).toContain('evidence disc of request 1');
  });
});

describe('finding 17: an approved view grant for another officer’s recording is usable', () => {
  it('shows and plays the recording to the officer once a leader approves the request', async () => {
    const officer = await loggedIn(server, 'officer');
    const request = await ask(officer, { recordings: String(other.id), purpose: 'petition', mode: 'view' });
    expect((await officer.get(`/recordings/${other.id}/media`)).status).toBe(404);
    expect((await leader.post('/access/approve', { id: String(request) })).status).toBe(303);
    expect((await officer.get(`/recordings/${other.id}`)).status).toBe(200);
    const media = await officer.get(`/recordings/${other.id}/media`);
    expect(media.status).toBe(200);
    expect((await media.arrayBuffer()).byteLength).toBe(other.sizeBytes);
    const served = server.station.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'view' AND actor = 'officer' ORDER BY id DESC")
      .pluck()
      .get() as string;
    expect(JSON.parse(served)).toMatchObject({ via: 'player', grant: request });
  });
});

describe('export folders end with their grant', () => {
  it('removes the evidence folder once the copy grant is over, on the record', async () => {
    const request = await ask(clerk, {
      recordings: String(own.id),
      purpose: 'training',
      mode: 'copy',
      days: '1',
    });
    expect((await leader.post('/access/approve', { id: String(request) })).status).toBe(303);
    const made = await clerk.post('/access/export', { id: String(request) });
    expect(made.status, await made.text()).toBe(303);
    const page = await (await clerk.get(made.headers.get('location')!)).text();
    const folder = /<code id="export-folder">([^<]+)<\/code>/.exec(page)![1];
    expect(existsSync(folder)).toBe(true);
    expect(await removeEndedExports(server.station.db, new Date())).toEqual([]);
    const dayAfter = new Date(Date.now() + 2 * 86_400_000);
    expect(await removeEndedExports(server.station.db, dayAfter)).toContain(folder);
    expect(existsSync(folder)).toBe(false);
    expect(
      entriesAfter(0)
        .filter((entry) => entry.action === 'export-removed')
        .at(-1),
    ).toMatchObject({
      subject_id: String(request),
      detail: expect.objectContaining({ outDir: folder, present: true }),
    });
  });
});
