import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLedgerRow } from '../src/dashboard/data/ledger-query.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
let clerk: HttpClient;
let own: Awaited<ReturnType<typeof ingestSampleRecorder>>;
let unknown: Awaited<ReturnType<typeof ingestSampleRecorder>>;

const trail = (id: number) =>
  server.station.db
    .prepare(
      "SELECT actor, action FROM audit_log WHERE subject_type = 'recording' AND subject_id = ? ORDER BY id",
    )
    .all(String(id));

beforeAll(async () => {
  server = await startDashboard();
  own = await ingestSampleRecorder(server, {
    name: 'own',
    serial: 'C000001',
    badge: officerBadge,
    segments: 2,
  });
  // A badge no officer holds: the station cannot tell whose footage this is.
  unknown = await ingestSampleRecorder(server, { name: 'unknown', serial: 'C000002', badge: '099999' });
  clerk = await loggedIn(server, 'clerk');
});

afterAll(async () => {
  await server?.close();
});

describe('recordings in the dashboard', () => {
  it('streams the archived file with HTTP range requests and logs the view', async () => {
    const video = own.report.recordings.find((recording) => recording.kind === 'video')!;
    const original = await readFile(server.station.archive.absolutePath(video.archivePath!));
    const whole = await clerk.get(`/recordings/${video.id}/media`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(original)).toBe(true);
    const part = await clerk.get(`/recordings/${video.id}/media`, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${original.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(original.subarray(100, 200))).toBe(true);
    const tail = await clerk.get(`/recordings/${video.id}/media`, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(original.subarray(-10))).toBe(true);
    const beyond = await clerk.get(`/recordings/${video.id}/media`, { range: `bytes=${original.length}-` });
    expect(beyond.status).toBe(416);
    expect(trail(video.id)).toContainEqual({ actor: 'clerk', action: 'view' });
  });

  it('pages the ledger at the chosen rows per page, the filter kept on the next page', async () => {
    const rows = (html: string) => html.match(/<tr data-id="(\d+)"/g) ?? [];
    const first = await (await clerk.get(`/ledger?badge=${officerBadge}&pageSize=1`)).text();
    expect(rows(first)).toHaveLength(1);
    expect(first).toMatch(/<select name="pageSize">/);
    const next = first.match(/href="([^"]+)" id="next-page"/)?.[1].replaceAll('&amp;', '&');
    expect(next).toContain(`badge=${officerBadge}`);
    expect(next).toContain('pageSize=1');
    const second = await (await clerk.get(next!)).text();
    expect(rows(second)).toHaveLength(1);
    expect(rows(second)[0]).not.toBe(rows(first)[0]);
    const twenty = await (await clerk.get('/ledger?pageSize=20')).text();
    expect(twenty).toMatch(/<option value="20" selected>20<\/option>/);
  });

  it('records the clerk marking a recording as not playing back, then confirming it after all', async () => {
    const id = own.report.recordings[0].id;
    expect((await clerk.post(`/recordings/${id}/not-playing`, { note: '画面黑屏' })).status).toBe(303);
    expect(findLedgerRow(server.station.db, id)).toMatchObject({
      notPlayingBy: 'clerk',
      notPlayingNote: '画面黑屏',
      confirmedAt: null,
    });
    const listed = await (await clerk.get('/ledger?playback=not-playing')).text();
    expect(listed).toContain(`data-id="${id}"`);
    expect((await clerk.post(`/recordings/${id}/confirm`)).status).toBe(303);
    expect(findLedgerRow(server.station.db, id)).toMatchObject({ confirmedBy: 'clerk', notPlayingAt: null });
    expect(trail(id).map((entry) => (entry as { action: string }).action)).toEqual(
      expect.arrayContaining(['mark-unplayable', 'confirm']),
    );
  });

  it('confirms a whole dock at once, only the recordings whose playback check passed', async () => {
    expect((await clerk.post(`/docks/${own.report.dockId}/confirm`)).status).toBe(303);
    const rows = server.station.db
      .prepare('SELECT playback, confirmed_by AS confirmedBy FROM recordings WHERE dock_id = ?')
      .all(own.report.dockId) as { playback: string; confirmedBy: string | null }[];
    for (const row of rows) expect(row.confirmedBy).toBe(row.playback === 'ok' ? 'clerk' : null);
  });

  it('exports XLSX with ids and durations as numbers, so Excel can sort and sum them', async () => {
    const response = await clerk.get(`/ledger/export.xlsx?badge=${officerBadge}`);
    expect(response.headers.get('content-disposition')).toMatch(/filename="ledger-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const [, id, , , , , , duration, , , , , , sha256] = workbook.worksheets[0].getRow(2).values as unknown[];
    expect(typeof id).toBe('number');
    expect(typeof duration).toBe('number');
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists recordings of an unknown officer as unassigned until the clerk assigns them', async () => {
    const id = unknown.report.recordings[0].id;
    expect(await (await clerk.get('/unassigned')).text()).toContain(`data-id="${id}"`);
    expect((await clerk.post(`/recordings/${id}/assign?back=/unassigned`, { badge: '010002' })).status).toBe(
      303,
    );
    expect(findLedgerRow(server.station.db, id)).toMatchObject({ badge: '010002', officerName: '李四' });
    expect(await (await clerk.get('/unassigned')).text()).not.toContain(`data-id="${id}"`);
    const entry = server.station.db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = 'assign-officer' AND subject_id = ?")
      .get(String(id)) as { actor: string; detail: string };
    expect(entry.actor).toBe('clerk');
    expect(JSON.parse(entry.detail)).toMatchObject({ badge: '010002', previousBadge: '099999' });
  });

  it('exports the current filter as CSV that Excel opens with Chinese intact, and logs the export', async () => {
    const response = await clerk.get(`/ledger/export.csv?badge=${officerBadge}`);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/filename="ledger-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toContain('执法人员');
    expect(lines.length - 1).toBe(own.report.recordings.length);
    expect(lines.slice(1).every((line) => line.includes('张三'))).toBe(true);
    const exports = server.station.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'export'")
      .pluck()
      .all();
    expect(exports.map((detail) => JSON.parse(detail as string))).toContainEqual(
      expect.objectContaining({ format: 'csv', count: own.report.recordings.length }),
    );
  });

  it('escapes everything a recorder or a user wrote before it reaches a page', async () => {
    const id = own.report.recordings[1].id;
    await clerk.post(`/recordings/${id}/not-playing`, { note: '<script>alert(1)</script>' });
    const page = await (await clerk.get(`/recordings/${id}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
