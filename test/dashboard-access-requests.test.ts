import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccessRequest } from '../src/custody/access-requests.ts';
import type { Recording } from '../src/ledger/recordings.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

// Art. 25, 27, 28 in the dashboard on a real station and server: real footage, real forms with CSRF,
// a real evidence export with xorriso, and the player refusing footage without a grant.

let server: DashboardServer;
let clerk: HttpClient;
let leader: HttpClient;
let auditor: HttpClient;
let recordings: Recording[];

const audit = (action: string, actor: string) =>
  Number(
    server.station.db
      .prepare('SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ?')
      .pluck()
      .get(action, actor),
  );

const newestRequestId = () =>
  Number(server.station.db.prepare('SELECT MAX(id) FROM access_requests').pluck().get());

async function ask(client: HttpClient, form: Record<string, string>): Promise<number> {
  const response = await client.post('/access/request', form);
  expect(response.status, await response.text()).toBe(303);
  return newestRequestId();
}

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures: 100 } });
  const { report } = await ingestSampleRecorder(server, {
    name: 'own',
    serial: 'A000001',
    badge: officerBadge,
    segments: 2,
  });
  recordings = report.recordings.map(
    (recording) =>
      server.station.db
        .prepare('SELECT id, sha256 FROM recordings WHERE id = ?')
        .get(recording.id) as Recording,
  );
  clerk = await loggedIn(server, 'clerk');
  leader = await loggedIn(server, 'leader');
  auditor = await loggedIn(server, 'auditor');
});

afterAll(async () => {
  await server?.close();
});

describe('access requests in the dashboard', () => {
  let copyRequest: number;

  it('takes a clerk’s copy request and shows it to the leader with approve and refuse buttons', async () => {
    copyRequest = await ask(clerk, {
      recordings: recordings.map((recording) => recording.id).join(', '),
      purpose: 'judicial-organ',
      mode: 'copy',
      days: '3',
    });
    const request = findAccessRequest(server.station.db, copyRequest)!;
    expect(request).toMatchObject({ user: 'clerk', mode: 'copy', state: 'pending', days: 3 });
    expect(request.recordingIds).toEqual(recordings.map((recording) => recording.id));
    const page = await (await leader.get('/access')).text();
    expect(page).toContain(`data-request="${copyRequest}" data-state="pending"`);
    expect(page).toContain('司法机关');
    expect(page).toContain('action="/access/approve"');
    const clerkPage = await (await clerk.get('/access')).text();
    expect(clerkPage).not.toContain('action="/access/approve"');
    expect(clerkPage).toContain('待负责人审批');
  });

  it('refuses a request naming a recording that does not exist, saying which', async () => {
    const response = await clerk.post('/access/request', {
      recordings: '99999',
      purpose: 'training',
      mode: 'view',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('#99999');
  });

  it('refuses a clerk’s approval and leaves the refusal in the audit log', async () => {
    const before = audit('access-refused', 'clerk');
    const response = await clerk.post('/access/approve', { id: String(copyRequest) });
    expect(response.status).toBe(403);
    expect(findAccessRequest(server.station.db, copyRequest)!.state).toBe('pending');
    expect(audit('access-refused', 'clerk')).toBe(before + 1);
  });

  it('approves as the leader, and explains why an approved request cannot be decided again', async () => {
    expect((await leader.post('/access/approve', { id: String(copyRequest) })).status).toBe(303);
    expect(findAccessRequest(server.station.db, copyRequest)).toMatchObject({
      state: 'approved',
      decidedBy: 'leader',
    });
    const again = await leader.post('/access/refuse', { id: String(copyRequest) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('已经处理');
    expect(findAccessRequest(server.station.db, copyRequest)!.state).toBe('approved');
  });

  it('exports the approved copy request: folder, SHA256SUMS matching the originals, and the ISO', async () => {
    expect(await (await clerk.get('/access')).text()).toContain('action="/access/export"');
    const made = await clerk.post('/access/export', { id: String(copyRequest) });
    expect(made.status, await made.text()).toBe(303);
    const location = made.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/access/export\\?request=${copyRequest}&folder=${copyRequest}-`));
    const page = await (await clerk.get(location)).text();
    const folder = /id="export-folder">([^<]+)</.exec(page)![1];
    expect(folder.startsWith(`${server.station.config.home}/exports/${copyRequest}-`)).toBe(true);
    const manifest = /<pre id="manifest">([^<]*)<\/pre>/.exec(page)![1];
    const lines = manifest.trim().split('\n');
    expect(lines.map((line) => line.split('  ')[0])).toEqual(recordings.map((recording) => recording.sha256));
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' })).toContain(
      'OK',
    );

    const downloads = audit('download', 'clerk');
    const link = /id="download-iso" href="([^"]+)"/.exec(page)![1].replaceAll('&amp;', '&');
    const iso = await clerk.get(link);
    expect(iso.status).toBe(200);
    expect(iso.headers.get('content-type')).toBe('application/x-iso9660-image');
    const bytes = Buffer.from(await iso.arrayBuffer());
    expect(bytes.length).toBe(statSync(`${folder}/evidence.iso`).size);
    // ISO 9660: the primary volume descriptor at sector 16 starts with "\x01CD001".
    expect(bytes.subarray(32769, 32774).toString()).toBe('CD001');
    expect(audit('download', 'clerk')).toBe(downloads + 1);
  });

  it('lets no one but the requester or the clerk take the disc, and logs the refusal', async () => {
    const ops = await loggedIn(server, 'ops');
    const before = audit('access-refused', 'ops');
    const response = await ops.post('/access/export', { id: String(copyRequest) });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('档案管理员');
    expect(audit('access-refused', 'ops')).toBe(before + 1);
  });

  it('refuses to export an expired copy request, saying when it expired', async () => {
    const expiring = await ask(clerk, {
      recordings: String(recordings[0].id),
      purpose: 'audit-organ',
      mode: 'copy',
    });
    expect((await leader.post('/access/approve', { id: String(expiring) })).status).toBe(303);
    server.station.db
      .prepare('UPDATE access_requests SET valid_until = ? WHERE id = ?')
      .run(new Date(Date.now() - 60_000).toISOString(), expiring);
    const page = await (await clerk.get('/access')).text();
    expect(page).toContain('到期');
    const before = audit('access-refused', 'clerk');
    const response = await clerk.post('/access/export', { id: String(expiring) });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('到期');
    expect(audit('access-refused', 'clerk')).toBe(before + 1);
  });

  it('warns about third parties on a party-concerned request, and shows an officer only their own', async () => {
    const officer = await loggedIn(server, 'officer');
    const own = await ask(officer, {
      recordings: String(recordings[0].id),
      purpose: 'party-concerned',
      mode: 'view',
    });
    const officerPage = await (await officer.get('/access')).text();
    expect(officerPage).toContain(`data-request="${own}"`);
    expect(officerPage).not.toContain(`data-request="${copyRequest}"`);
    const leaderPage = await (await leader.get('/access')).text();
    const row = new RegExp(`data-request="${own}"[\\s\\S]*?</tr>`).exec(leaderPage)![0];
    expect(row).toContain('当事人');
    expect(row).toContain('须审查第三人信息');
  });

  it('lets an auditor play footage only once a leader approves a view request (art. 27)', async () => {
    const media = `/recordings/${recordings[0].id}/media`;
    expect((await auditor.get(media)).status).toBe(403);
    const viewRequest = await ask(auditor, {
      recordings: String(recordings[0].id),
      purpose: 'audit-organ',
      mode: 'view',
    });
    expect((await auditor.get(media)).status).toBe(403);
    expect((await leader.post('/access/approve', { id: String(viewRequest) })).status).toBe(303);
    const playing = await auditor.get(media);
    expect(playing.status).toBe(200);
    expect((await playing.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // A view grant is not a copy grant: no disc from it.
    const copy = await auditor.post('/access/export', { id: String(viewRequest) });
    expect(copy.status).toBe(409);
  });
});

describe('integrity page', () => {
  it('shows today’s audit chain head and the fixity state to ops, read-only', async () => {
    const ops = await loggedIn(server, 'ops');
    const page = await (await ops.get('/integrity')).text();
    const head = server.station.db
      .prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1')
      .get() as { id: number; hash: string };
    const digest = /<pre class="card" id="audit-digest">([^<]*)<\/pre>/.exec(page)![1];
    // The page itself may be read after newer entries (the login); the digest names a real entry.
    const [, id, hash] = /链头条目：#(\d+)\n链头哈希：([0-9a-f]{64})/.exec(digest)!;
    expect(Number(id)).toBeLessThanOrEqual(head.id);
    expect(server.station.db.prepare('SELECT hash FROM audit_log WHERE id = ?').pluck().get(Number(id))).toBe(
      hash,
    );
    expect(page).toContain('id="fixity-none"');
    expect(page).not.toContain('<form method="post" action="/integrity');
  });

  it('is not for officers or clerks', async () => {
    expect((await (await loggedIn(server, 'officer')).get('/integrity')).status).toBe(403);
    expect((await clerk.get('/integrity')).status).toBe(403);
  });
});
