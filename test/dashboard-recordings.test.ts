import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlyStatistics, monthOf } from '../src/compliance/statistics.ts';
import { findLedgerRow } from '../src/dashboard/data/ledger-query.ts';
import { createDock } from '../src/ledger/docks.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

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

  it('records the clerk marking a recording as not playing back, then withdrawing that and confirming it', async () => {
    const id = own.report.recordings[0].id;
    expect((await clerk.post(`/recordings/${id}/not-playing`, { note: '画面黑屏' })).status).toBe(303);
    expect(findLedgerRow(server.station.db, id)).toMatchObject({
      notPlayingBy: 'clerk',
      notPlayingNote: '画面黑屏',
      confirmedAt: null,
    });
    const listed = await (await clerk.get('/ledger?playback=not-playing')).text();
    expect(listed).toContain(`data-id="${id}"`);
    // A decision stands until it is withdrawn with a reason.
    expect((await clerk.post(`/recordings/${id}/confirm`)).status).toBe(409);
    expect(
      (
        await clerk.post(`/recordings/${id}/withdraw`, {
          decision: 'not-playing',
          reason: '换用播放器后可正常播放',
        })
      ).status,
    ).toBe(303);
    expect((await clerk.post(`/recordings/${id}/confirm`)).status).toBe(303);
    expect(findLedgerRow(server.station.db, id)).toMatchObject({ confirmedBy: 'clerk', notPlayingAt: null });
    expect(trail(id).map((entry) => (entry as { action: string }).action)).toEqual(
      expect.arrayContaining(['mark-unplayable', 'correction', 'confirm']),
    );
  });

  it('confirms a whole dock at once, only the recordings whose playback check passed', async () => {
    const asked = await (await clerk.get(`/docks/${own.report.dockId}/confirm`)).text();
    const ids = /name="ids" value="([0-9,]+)"/.exec(asked)![1];
    expect((await clerk.post(`/docks/${own.report.dockId}/confirm`, { ids })).status).toBe(303);
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
    const video = (workbook.worksheets[0].getSheetValues() as unknown[][]).find(
      (cells) => cells?.[9] === '视频',
    )!;
    const [, id, , , , , , duration, , , , , , , sha256] = video;
    expect(typeof id).toBe('number');
    // A duration Excel sums and shows as hours:minutes:seconds: a fraction of a day, which ExcelJS
    // reads back as a time after its epoch.
    const seconds = ((duration as Date).getTime() - Date.UTC(1899, 11, 30)) / 1000;
    expect(seconds).toBe(Math.round(findLedgerRow(server.station.db, id as number)!.durationSeconds!));
    expect(workbook.worksheets[0].getColumn(7).numFmt).toBe('[h]:mm:ss');
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
    expect(lines.length - 2).toBe(own.report.recordings.length);
    expect(lines.slice(1, -1).every((line) => line.includes('张三'))).toBe(true);
    expect(lines.at(-1)).toBe(`共 ${own.report.recordings.length} 条记录`);
    const exports = server.station.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'export'")
      .pluck()
      .all();
    expect(exports.map((detail) => JSON.parse(detail as string))).toContainEqual(
      expect.objectContaining({ format: 'csv', count: own.report.recordings.length }),
    );
  });

  it('shows what the clerk found not to play back the same in the page, CSV, XLSX, CLI, JSON and statistics', async () => {
    const id = unknown.report.recordings[0].id;
    // The machine said 正常; the clerk watched it and found otherwise.
    server.station.db.prepare("UPDATE recordings SET playback = 'ok' WHERE id = ?").run(id);
    expect((await clerk.post(`/recordings/${id}/not-playing`, { note: '画面全黑' })).status).toBe(303);
    const row = (html: string) => html.match(new RegExp(`<tr data-id="${id}">[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row(await (await clerk.get('/ledger')).text())).toContain('data-playback="not-playing"');
    expect(await (await clerk.get('/ledger?playback=ok')).text()).not.toContain(`data-id="${id}"`);

    const csv = (await (await clerk.get('/ledger/export.csv')).text()).split('\r\n');
    const csvLine = csv.find((line) => line.startsWith(`${id},`))!;
    expect(csvLine).toContain(',人工确认无法回放,');
    expect(csvLine).not.toContain(',正常,');
    // Start and end on the station's wall clock, the duration as hours:minutes:seconds.
    expect(csvLine).toMatch(
      /,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},00:00:0\d,/,
    );

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await clerk.get('/ledger/export.xlsx')).arrayBuffer());
    const sheetRow = (workbook.worksheets[0].getSheetValues() as unknown[][]).find(
      (cells) => cells?.[1] === id,
    )!;
    expect(sheetRow).toContain('人工确认无法回放');

    const home = server.station.config.home;
    const table = await runStation(['ledger'], { home });
    expect(table.stdout.split('\n').find((line) => line.startsWith(`${id} `))).toContain('人工确认无法回放');
    expect(table.stdout).toMatch(/共 \d+ 条记录\n$/);
    const json = parseJson<{ recordings: { id: number; playback: string; start: string }[] }>(
      await runStation(['ledger', '--json'], { home }),
    );
    expect(json.recordings.find((recording) => recording.id === id)).toMatchObject({
      playback: 'not-playing',
    });
    expect(json.recordings[0].start).toMatch(/\+08:00$/);
    const api = (await (await clerk.get('/api/ledger')).json()) as {
      recordings: { id: number; playback: string }[];
    };
    expect(api.recordings.find((recording) => recording.id === id)?.playback).toBe('not-playing');

    const month = monthOf(new Date(Date.now() - 3600_000), server.station.config.station.timezone);
    const statistics = monthlyStatistics(server.station.db, server.station.config.station.timezone, month);
    const badge = findLedgerRow(server.station.db, id)?.badge;
    expect(statistics.officers.find((officer) => officer.badge === badge)?.damagedRecordings).toBe(1);
    const alerts = (await (await clerk.get('/api/alerts')).json()) as {
      alerts: { kind: string; subject: string; message: string }[];
    };
    expect(alerts.alerts).toContainEqual(
      expect.objectContaining({
        kind: 'unplayable',
        subject: `#${id}`,
        message: '人工确认无法回放：画面全黑',
      }),
    );
    // Put back as the machine found it, for the tests after this one: withdrawn, on the record.
    expect(
      (await clerk.post(`/recordings/${id}/withdraw`, { decision: 'not-playing', reason: '测试结束，恢复' }))
        .status,
    ).toBe(303);
  });

  it('asks for a note beside the field before marking a recording as not playing back', async () => {
    const id = unknown.report.recordings[0].id;
    const before = findLedgerRow(server.station.db, id);
    const response = await clerk.post(`/recordings/${id}/not-playing`, { note: '  ' });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('<span class="bad field-error" id="note-error">请填写说明');
    expect(page).toContain('id="metadata"');
    expect(findLedgerRow(server.station.db, id)?.notPlayingAt).toBe(before?.notPlayingAt);
  });

  it('escapes everything a recorder or a user wrote before it reaches a page', async () => {
    const id = unknown.report.recordings[0].id;
    await clerk.post(`/recordings/${id}/not-playing`, { note: '<script>alert(1)</script>' });
    const page = await (await clerk.get(`/recordings/${id}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('the recording page in the reader language', () => {
  const cells = (page: string, table: string) =>
    page.slice(page.indexOf(`id="${table}"`), page.indexOf('</table>', page.indexOf(`id="${table}"`)));

  it('names the time source, each playback check and each audited step, keeping the raw detail aside', async () => {
    await server.station.playback.whenIdle();
    const video = own.report.recordings.find((recording) => recording.kind === 'video')!;
    const page = await (await clerk.get(`/recordings/${video.id}?lang=zh-CN`)).text();
    expect(cells(page, 'metadata')).toContain('<th>时间来源</th><td>文件名</td>');
    const checks = cells(page, 'playback-checks');
    expect(checks).toMatch(
      /<tr data-check="probe"><td class="good">✓ 通过<\/td><td>格式识别<\/td><td><span class="finding-text">格式 [^<]*声明时长 [\d.]+ 秒/,
    );
    expect(checks).toContain('<td>全片关键帧扫描</td>');
    expect(checks).toContain('<td>开头片段解码</td>');
    const history = cells(page, 'history');
    expect(history).toContain('<td data-action="ingest">采集入库</td>');
    expect(history).toContain('<td data-action="view">查看</td>');
    expect(history).toMatch(/<td class="audit-detail">SHA-256: <code>[0-9a-f]{64}<\/code> · /);
    expect(history).toMatch(/ · 原文件: <code>[^<]+<\/code> · 采集批次: <code>\d+<\/code><\/td>/);
    expect(history).toContain('途径: 详情页');
    expect(history).not.toContain('seal');

    const english = await (await clerk.get(`/recordings/${video.id}?lang=en`)).text();
    expect(cells(english, 'metadata')).toContain('<th>Time source</th><td>File name</td>');
    expect(cells(english, 'playback-checks')).toContain('✓ passed</td><td>Format probe</td>');
    expect(cells(english, 'history')).toContain('<td data-action="ingest">Ingested</td>');
  });

  it('shows an assignment with the badge before and after', async () => {
    const id = unknown.report.recordings[0].id;
    const history = cells(await (await clerk.get(`/recordings/${id}`)).text(), 'history');
    expect(history).toContain('<td data-action="assign-officer">分配执法人员</td>');
    expect(history).toContain('执法证号: 010002 · 原执法证号: 099999');
  });
});

describe('officers and units on the docks and devices pages', () => {
  it('shows the officer name and badge in their own columns, unassigned when no officer holds the badge', async () => {
    const stranger = await ingestSampleRecorder(server, {
      name: 'stranger',
      serial: 'C000003',
      badge: '099998',
    });
    const page = await (await clerk.get('/docks')).text();
    expect(page).toContain('<th>执法人员</th><th>执法证号</th>');
    const row = (dockId: number) =>
      page.match(new RegExp(`<tr data-dock="${dockId}"[^>]*>[\\s\\S]*?</tr>`))?.[0];
    expect(row(own.report.dockId!)).toContain('<td>张三</td><td>010001</td>');
    expect(row(stranger.report.dockId!)).toContain(
      '<td><span class="muted">未分配</span></td><td>099998</td>',
    );
    const card = await (await clerk.get(`/docks/${stranger.report.dockId}/card`)).text();
    expect(card).toContain('<span class="officer">执法证号 099998</span>');

    const leader = await loggedIn(server, 'leader');
    const month = monthOf(new Date(Date.now() - 3600_000), server.station.config.station.timezone);
    const statistics = await (await leader.get(`/statistics?month=${month}`)).text();
    expect(statistics).toContain('<th>执法人员</th><th>执法证号</th>');
    expect(statistics).toMatch(
      /<tr data-badge="099998"><td><span class="muted">未分配<\/span><\/td><td>099998<\/td>/,
    );
    expect(statistics).toMatch(/<tr data-badge="010001"><td>张三<\/td><td>010001<\/td>/);
    expect(statistics).toContain('<th colspan="2">合计</th>');
  });

  it('leaves the officer out of a card title until someone is known', async () => {
    const dock = createDock(server.station.db, { origin: 'test', sourcePath: '/media/DSJ5001' }, new Date());
    const card = await (await clerk.get(`/docks/${dock.id}/card`)).text();
    expect(card).toMatch(/采集 #\d+ · \/media\/DSJ5001\n · <span class="state">已接入<\/span>/);
    expect(card).not.toContain('class="officer"');
  });

  it('hands the live script the same file state text and the reader unit', async () => {
    const page = await (await clerk.get('/docks')).text();
    const texts = JSON.parse(
      page.match(/<script type="application\/json" id="dock-texts">(.*?)<\/script>/s)![1],
    );
    expect(texts.fileStates.copying).toBe('复制中');
    expect(texts.seconds).toBe('{n} 秒');
    expect(texts.minutesSeconds).toBe('{m} 分 {s} 秒');
    const english = JSON.parse(
      (await (await clerk.get('/docks?lang=en')).text()).match(/id="dock-texts">(.*?)<\/script>/s)![1],
    );
    expect(english.seconds).toBe('{n} s');
  });

  it('puts the configured station name in the page header', async () => {
    const page = await (await clerk.get('/docks')).text();
    expect(page).toContain(`<strong id="station-name">${server.station.config.station.name}</strong>`);
  });
});
