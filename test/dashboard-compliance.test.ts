import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagActivity } from '../src/compliance/activity-tags.ts';
import { addCase, linkRecording } from '../src/compliance/cases.ts';
import { openProposal, proposeDeletion } from '../src/compliance/deletion.ts';
import { deletionContext } from '../src/compliance/jobs.ts';
import { monthOf } from '../src/compliance/statistics.ts';
import type { Recording } from '../src/ledger/recordings.ts';
import { localDateIn } from '../src/time/zone.ts';
import { archivedRecording, recordGap } from './helpers/compliance-fixtures.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

// The compliance pages (cases, retention, statistics, interruptions) on a real station and server:
// real footage for the case, archived rows with read-only files for retention, real forms with CSRF.

const dayMs = 86_400_000;
let server: DashboardServer;
let clerk: HttpClient;
let ops: HttpClient;
let leader: HttpClient;
let officer: HttpClient;
let footageId: number;
let due: Recording;
let expiring: Recording;
let recent: Recording;

const daysAgo = (days: number) => new Date(Date.now() - days * dayMs);
const audited = (action: string, actor: string) =>
  Number(
    server.station.db
      .prepare('SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ?')
      .pluck()
      .get(action, actor),
  );

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures: 100 } });
  const { report } = await ingestSampleRecorder(server, {
    name: 'rec',
    serial: 'C000001',
    badge: officerBadge,
  });
  footageId = report.recordings[0].id;
  // Recorded ten months ago (due), five and a half months ago (expiring) and two months ago (kept).
  due = await archivedRecording(server.station, { recordedAt: daysAgo(300), badge: '010002' });
  expiring = await archivedRecording(server.station, { recordedAt: daysAgo(170), badge: '010002' });
  recent = await archivedRecording(server.station, { recordedAt: daysAgo(60), badge: '010002', late: true });
  [clerk, ops, leader, officer] = await Promise.all(
    ['clerk', 'ops', 'leader', 'officer'].map((role) => loggedIn(server, role)),
  );
});

afterAll(async () => {
  await server?.close();
});

describe('the cases pages (art. 4, 22)', () => {
  it('lets the clerk register a case and link real footage at a stage, and lists it on the case page', async () => {
    const added = await clerk.post('/cases', { number: '丰街罚〔2026〕17号', type: '行政处罚' });
    expect(added.status).toBe(303);
    const location = added.headers.get('location')!;
    expect(location).toBe(`/cases/show?number=${encodeURIComponent('丰街罚〔2026〕17号')}`);
    const linked = await clerk.post('/cases/link', {
      number: '丰街罚〔2026〕17号',
      recordingId: String(footageId),
      stage: '调查取证',
    });
    expect(linked.status).toBe(303);
    const page = await (await clerk.get(location)).text();
    expect(page).toContain(`data-recording="${footageId}"`);
    expect(page).toMatch(/<td class="stage">调查取证<\/td>/);
    expect(page).toContain('id="link-recording"');
    expect(audited('case-link', 'clerk')).toBe(1);
    const list = await (await ops.get('/cases')).text();
    expect(list).toContain('data-case="丰街罚〔2026〕17号"');
  });

  it('records the service date from the leader, and shows ops the case without the clerk forms', async () => {
    const servedOn = localDateIn(daysAgo(10), 'Asia/Shanghai');
    const served = await leader.post('/cases/serve', { number: '丰街罚〔2026〕17号', date: servedOn });
    expect(served.status).toBe(303);
    const page = await (await ops.get('/cases/show?number=丰街罚〔2026〕17号')).text();
    expect(page).toContain(`${servedOn} 00:00:00`);
    expect(page).not.toContain('id="link-recording"');
    expect(page).not.toContain('id="serve-case"');
  });

  it("shows the case, its stage and the retention it sets on the recording's own page", async () => {
    const page = await (await clerk.get(`/recordings/${footageId}`)).text();
    const compliance = page.slice(page.indexOf('<table id="compliance">')).split('</table>')[0];
    expect(compliance).toContain(`/cases/show?number=${encodeURIComponent('丰街罚〔2026〕17号')}`);
    expect(compliance).toContain('(调查取证)');
    // Served ten days ago, recorded today: the later of the two ends counts (art. 24).
    expect(compliance).toContain('自记录之日起计算');
  });

  it('refuses an unknown stage with the reason, answers an unknown case with 404 and keeps officers out', async () => {
    const refused = await clerk.post('/cases/link', {
      number: '丰街罚〔2026〕17号',
      recordingId: String(footageId),
      stage: '拍照',
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('未知的执法环节“拍照”');
    expect((await clerk.get('/cases/show?number=nothing')).status).toBe(404);
    expect((await officer.get('/cases')).status).toBe(403);
  });
});

describe('the retention page (art. 24)', () => {
  it('lists due, expiring and held recordings, with the propose form only for ops', async () => {
    const page = await (await ops.get('/retention')).text();
    const section = (id: string) => page.slice(page.indexOf(`<table id="${id}">`)).split('</table>')[0];
    expect(section('due')).toContain(`data-recording="${due.id}"`);
    expect(section('due')).toContain('action="/retention/propose"');
    expect(section('expiring')).toContain(`data-recording="${expiring.id}"`);
    // Two months old: in no list yet.
    expect(page).not.toContain(`data-recording="${recent.id}"`);
    const forLeader = await (await leader.get('/retention')).text();
    expect(forLeader).not.toContain('action="/retention/propose"');
    expect(forLeader).toContain('由综合办公室提议删除');
  });

  it('refuses to propose a recording before its end, and says until when it must be kept', async () => {
    for (const recording of [expiring, recent]) {
      const refused = await ops.post('/retention/propose', { recordingId: String(recording.id) });
      expect(refused.status).toBe(409);
      const text = await refused.text();
      expect(text).toContain(`不能处理记录 #${recording.id}`);
      expect(text).toMatch(/须保存至 \d{4}-\d{2}-\d{2} 当日结束/);
    }
    expect(openProposal(server.station.db, expiring.id)).toBeNull();
  });

  it('refuses to propose a recording held by an open case, naming the case', async () => {
    const { db } = server.station;
    addCase(db, { number: 'OPEN-1', type: '行政检查', by: 'clerk' }, new Date());
    const held = await archivedRecording(server.station, { recordedAt: daysAgo(400), badge: '010002' });
    linkRecording(db, { number: 'OPEN-1', recordingId: held.id, by: 'clerk' }, new Date());
    const refused = await ops.post('/retention/propose', { recordingId: String(held.id) });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('案件尚未送达决定 (案件 OPEN-1)');
  });

  it('takes a proposal from ops and an approval from a leader, who then sees the grace period', async () => {
    const proposed = await ops.post('/retention/propose', { recordingId: String(due.id), reason: '期满' });
    expect(proposed.status).toBe(303);
    const again = await ops.post('/retention/propose', { recordingId: String(due.id) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('已有进行中的删除提议');
    const page = await (await leader.get('/retention')).text();
    const proposals = page.slice(page.indexOf('<table id="proposals">')).split('</table>')[0];
    expect(proposals).toContain('action="/retention/approve"');
    expect((await leader.post('/retention/approve', { recordingId: String(due.id) })).status).toBe(303);
    expect(openProposal(server.station.db, due.id)).toMatchObject({ state: 'approved', decidedBy: 'leader' });
    expect(audited('retention-decision', 'leader')).toBe(1);
    expect((await leader.post('/retention/approve', { recordingId: String(due.id) })).status).toBe(409);
  });

  it('never lets the proposer approve their own proposal, and lets ops withdraw it instead', async () => {
    const { station } = server;
    const other = await archivedRecording(station, { recordedAt: daysAgo(320), badge: '010002' });
    proposeDeletion(deletionContext(station), { recordingId: other.id, by: 'ops' }, new Date());
    // As if the proposer had since become a leader: the two-person rule still holds.
    station.db
      .prepare("UPDATE deletion_proposals SET proposed_by = 'leader' WHERE recording_id = ?")
      .run(other.id);
    expect(await (await leader.get('/retention')).text()).toContain('提议人不能批准自己的提议');
    const refused = await leader.post('/retention/approve', { recordingId: String(other.id) });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('提议人不能批准自己的提议');
    expect((await ops.post('/retention/cancel', { recordingId: String(other.id) })).status).toBe(303);
    expect(openProposal(station.db, other.id)).toBeNull();
    expect((await ops.post('/retention/approve', { recordingId: String(other.id) })).status).toBe(403);
  });
});

describe('the statistics page (art. 30)', () => {
  it('shows a month per officer as a table and inline SVG bars', async () => {
    const month = monthOf(daysAgo(60), 'Asia/Shanghai');
    const page = await (await leader.get(`/statistics?month=${month}`)).text();
    expect(page).toContain('data-badge="010002"');
    expect(page).toMatch(/<td class="lateExports">1<\/td>/);
    expect(page).toContain('<svg');
    expect(page).toMatch(/<rect [^>]*width="320"/);
    expect(page).not.toContain('<script');
    expect((await leader.get('/statistics?month=2026-13')).status).toBe(400);
  });

  it('downloads the monthly report as a workbook and logs who took it', async () => {
    const month = monthOf(daysAgo(60), 'Asia/Shanghai');
    const response = await clerk.get(`/statistics/report.xlsx?month=${month}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`statistics-${month}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.getWorksheet(month)!;
    const cells = sheet.getSheetValues().flat().map(String);
    expect(cells).toContain('010002');
    expect(cells.some((cell) => cell.includes('月度统计'))).toBe(true);
    expect(audited('export', 'clerk')).toBe(1);
  });
});

describe('the interruptions page (art. 18, 20)', () => {
  let own: number;
  let others: number;

  beforeAll(async () => {
    const { station } = server;
    const at = (days: number, badge: string) =>
      archivedRecording(station, { recordedAt: daysAgo(days), badge });
    const [a, b] = [await at(3, officerBadge), await at(2.99, officerBadge)];
    const [c, d] = [await at(3, '010002'), await at(2.99, '010002')];
    own = recordGap(station, { before: a, after: b, badge: officerBadge, detectedAt: daysAgo(3) });
    others = recordGap(station, {
      before: c,
      after: d,
      badge: '010002',
      detectedAt: new Date(),
      serial: 'C000002',
    });
    tagActivity(station.db, { recordingId: c.id, kind: 'seizure', by: 'clerk' }, new Date());
  });

  it('shows an officer only their own gaps, and lets them explain only those', async () => {
    const page = await (await officer.get('/interruptions')).text();
    expect(page).toContain(`data-interruption="${own}"`);
    expect(page).not.toContain(`data-interruption="${others}"`);
    const explained = await officer.post('/interruptions/explain', {
      id: String(own),
      explanation: '电池耗尽，更换后继续录制',
    });
    expect(explained.status).toBe(303);
    const foreign = await officer.post('/interruptions/explain', {
      id: String(others),
      explanation: '不是我的',
    });
    expect(foreign.status).toBe(404);
    expect(audited('interruption-explained', 'officer')).toBe(1);
  });

  it('lets the clerk accept an explained gap but not an unexplained one, and marks art. 20 gaps', async () => {
    const page = await (await clerk.get('/interruptions')).text();
    expect(page).toMatch(new RegExp(`data-interruption="${others}" class="loud"`));
    expect(page).toContain('查封、扣押、先行登记保存');
    const refused = await clerk.post('/interruptions/accept', { id: String(others) });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('执法人员尚未说明中断原因');
    expect((await clerk.post('/interruptions/accept', { id: String(own) })).status).toBe(303);
    expect(await (await clerk.get('/interruptions')).text()).not.toContain(`data-interruption="${own}"`);
    expect(audited('interruption-accepted', 'clerk')).toBe(1);
  });
});

describe('the alerts page with the compliance engine', () => {
  it('adds retention, late exports per officer and loud gaps, each in the reader language and linked', async () => {
    const response = await ops.get('/api/alerts');
    const { alerts } = (await response.json()) as {
      alerts: { kind: string; severity: string; link: string | null }[];
    };
    const kinds = alerts.map((alert) => `${alert.kind} ${alert.severity}`);
    expect(kinds).toEqual(expect.arrayContaining(['retention-expiring info', 'interruption critical']));
    expect(alerts.find((alert) => alert.kind === 'retention-expiring')!.link).toBe('/retention');
    const page = await (await ops.get('/alerts')).text();
    expect(page).toContain('data-kind="retention-expiring"');
    expect(page).toContain('保存期即将届满');
    const english = await (await ops.get('/alerts?lang=en')).text();
    expect(english).toContain('Retention ending soon');
  });
});
