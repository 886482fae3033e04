import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceJobs } from '../src/compliance/jobs.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { truncateFile } from '../src/footage/generate.ts';
import { createDock } from '../src/ledger/docks.ts';
import { BrowserUsers, launchChromium, screenshots } from './helpers/browser.ts';
import {
  type DashboardServer,
  ingestSampleRecorder,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';

// Issue 13, "cards and lists that say what to do", walked through in Chromium on the real server.

let server: DashboardServer;
let browser: Browser;
let users: BrowserUsers;

const logIn = (role: string): Promise<Page> => users.logIn(role, passwordOf(role));

const screenshot = screenshots('what-to-do');

/**
 * A simulated recorder (clock two hours fast, battery at 12 %) whose footage has one five-minute pause
 * and one cut file.
 */
async function dockTroubledRecorder() {
  const root = path.join(server.folder, 'troubled');
  const recorder = await writeSimulatedRecorder(root, {
    serial: 'DSJ0130',
    badge: officerBadge,
    start: new Date(Date.now() - 2 * 3600_000),
    segments: 3,
    segmentSeconds: 2,
    gapSeconds: [0, 300],
    clockOffsetSeconds: 7200,
    batteryPercent: 12,
    timezone: server.station.config.station.timezone,
    width: 160,
    height: 120,
  });
  await truncateFile(recorder.recordings[0].path, 0.6);
  const report = await dockFolder(server.station, {
    sourceRoot: root,
    origin: 'folder',
    recorderChecks: true,
  });
  return { recorder, report };
}

beforeAll(async () => {
  // Every recorder counts as nearly full (under 100 % free), and the simulated family is loaded.
  server = await startDashboard({}, undefined, {
    dock: { simulatedRecorders: true, lowStoragePercent: 100 },
  });
  browser = await launchChromium();
  users = new BrowserUsers(browser, () => server.baseUrl);
});

afterAll(async () => {
  await users?.close();
  await browser?.close();
  await server?.close();
});

describe('the dock card says what the dock left to do', () => {
  it('moves a finished dock to 刚完成 with its warnings, per-file results and links to act', async () => {
    const page = await logIn('officer');
    await page.goto(`${server.baseUrl}/docks`);
    await page.waitForSelector('body[data-stream=open]');
    const { report } = await dockTroubledRecorder();
    expect(report.state).toBe('done');
    const card = page.locator(`#finished-docks section.dock[data-dock="${report.dockId}"]`);
    await card.locator('.finding[data-finding="interruption"]').waitFor();
    expect(await page.locator(`#live-docks section.dock[data-dock="${report.dockId}"]`).count()).toBe(0);
    await page.locator('#no-active-docks').waitFor();
    const findings = await card.locator('.finding').allTextContents();
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('发现 1 处中断，请填写中断说明'),
        expect.stringContaining('时钟快 2 小时，已校正'),
        expect.stringContaining('记录仪存储空间仅剩'),
        expect.stringContaining('记录仪电量仅剩 12%，请充电后再使用'),
        expect.stringContaining('1 个文件不能正常回放'),
      ]),
    );
    // Kept on the dock, so the card and the JSON API say it after a reload too.
    const docks = (await page.evaluate(async () => (await fetch('/api/docks')).json())) as {
      docks: { id: number; batteryPercent: number | null }[];
    };
    expect(docks.docks.find((dock) => dock.id === report.dockId)?.batteryPercent).toBe(12);
    // Each file names its recording and whether it plays back.
    const damaged = card.locator('.files li', { has: page.locator('.playback.bad') });
    expect(await damaged.count()).toBe(1);
    expect(await damaged.textContent()).toMatch(/记录 #\d+.*部分损坏|无法回放/);
    expect(await card.locator('.files .playback.good').count()).toBeGreaterThan(0);
    expect(await page.locator(`#recent-docks tr[data-dock="${report.dockId}"]`).textContent()).toContain(
      '完成',
    );
    await screenshot(page, 'dock-card');
    // The link goes where the officer explains the gap.
    await Promise.all([
      page.waitForURL(/\/interruptions/),
      card.locator('.finding[data-finding="interruption"] a').click(),
    ]);
    expect(await page.locator('#interruptions tbody tr').count()).toBe(1);
  });

  it('keeps CLI ingests out of 当前采集 and adds new docks to 最近采集记录 without a reload', async () => {
    const station = server.station;
    const cli = createDock(station.db, { origin: 'cli', sourcePath: '/tmp/by-hand' }, new Date());
    const page = await logIn('clerk');
    await page.goto(`${server.baseUrl}/docks`);
    await page.waitForSelector('body[data-stream=open]');
    expect(await page.locator(`#live-docks section.dock[data-dock="${cli.id}"]`).count()).toBe(0);
    expect(await page.locator(`#recent-docks tr[data-dock="${cli.id}"]`).count()).toBe(1);
    const { report } = await ingestSampleRecorder(server, {
      name: 'live-row',
      serial: 'B000131',
      badge: '010002',
    });
    const row = page.locator(`#recent-docks tr[data-dock="${report.dockId}"][data-state="done"]`);
    await row.waitFor();
    expect(await page.locator('#recent-docks tbody tr').first().getAttribute('data-dock')).toBe(
      String(report.dockId),
    );
    expect(await row.textContent()).toContain('李四');
    await screenshot(page, 'docks-clerk');
  });
});

describe('histories keep what was dealt with', () => {
  it('keeps an accepted interruption listed, filters it by state and lets the clerk send it back on the record', async () => {
    const officer = await logIn('officer');
    await officer.goto(`${server.baseUrl}/interruptions`);
    const row = officer.locator('#interruptions tbody tr').first();
    const id = Number(await row.getAttribute('data-interruption'));
    // The officer's name beside the badge.
    expect(await row.textContent()).toContain('张三');
    await row.locator('textarea[name=explanation]').fill('电池耗尽，更换电池后继续录像');
    await Promise.all([officer.waitForLoadState('load'), row.locator('.explain button').click()]);

    const clerk = await logIn('clerk');
    await clerk.goto(`${server.baseUrl}/interruptions`);
    const waiting = clerk.locator(`#interruption-${id}`);
    expect(await waiting.getAttribute('data-state')).toBe('explained');
    await Promise.all([clerk.waitForLoadState('load'), waiting.locator('form.accept button').click()]);
    // Accepted: no longer waiting, still on the record.
    expect(await clerk.locator(`#interruption-${id}`).count()).toBe(0);
    await clerk.selectOption('#interruption-filters select[name=state]', 'accepted');
    await Promise.all([clerk.waitForURL(/state=accepted/), clerk.click('#interruption-filters button')]);
    const accepted = clerk.locator(`#interruption-${id}`);
    expect(await accepted.locator('td.state').textContent()).toContain('已确认');
    expect(await accepted.locator('td.state').textContent()).toContain('clerk');
    await screenshot(clerk, 'interruptions-accepted');
    await accepted.locator('form.return input[name=reason]').fill('说明不具体，请写明中断的时段和原因');
    await Promise.all([clerk.waitForURL(/state=all/), accepted.locator('form.return button').click()]);
    const returned = clerk.locator(`#interruption-${id}`);
    expect(await returned.getAttribute('data-state')).toBe('open');
    expect(await returned.locator('.returned').textContent()).toContain('说明不具体');

    const entry = server.station.db
      .prepare(
        "SELECT actor, detail FROM audit_log WHERE action = 'interruption-returned' AND subject_id = ?",
      )
      .get(String(id)) as { actor: string; detail: string };
    expect(entry.actor).toBe('clerk');
    expect(JSON.parse(entry.detail)).toMatchObject({
      reason: '说明不具体，请写明中断的时段和原因',
      acceptedBy: 'clerk',
    });
    // Back with the officer, with the reason to read.
    await officer.goto(`${server.baseUrl}/interruptions`);
    expect(await officer.locator(`#interruption-${id} .returned`).textContent()).toContain('说明不具体');
    await screenshot(officer, 'interruptions-returned');
  });

  it('lets the clerk acknowledge an alert with a reason, filters open and acknowledged, and keeps the act', async () => {
    const clerk = await logIn('clerk');
    await clerk.goto(`${server.baseUrl}/alerts`);
    const unplayable = clerk.locator('#alerts tr[data-kind="unplayable"]').first();
    const subject = await unplayable.getAttribute('data-subject');
    // 详情 says what is wrong for every alert listed.
    for (const detail of await clerk.locator('#alerts td.detail').allTextContents())
      expect(detail.trim()).not.toBe('');
    await unplayable.locator('form.acknowledge input[name=reason]').fill('已交技术人员重新导出');
    await Promise.all([clerk.waitForURL(/state=all/), unplayable.locator('form.acknowledge button').click()]);
    const row = clerk.locator(`#alerts tr[data-kind="unplayable"][data-subject="${subject}"]`);
    expect(await row.getAttribute('data-state')).toBe('acknowledged');
    expect(await row.locator('.handled').textContent()).toContain('clerk 于');
    expect(await row.locator('.handled').textContent()).toContain('已交技术人员重新导出');
    await clerk.goto(`${server.baseUrl}/alerts`);
    expect(await clerk.locator(`#alerts tr[data-kind="unplayable"][data-subject="${subject}"]`).count()).toBe(
      0,
    );
    await clerk.goto(`${server.baseUrl}/alerts?state=acknowledged`);
    expect(await clerk.locator(`#alerts tr[data-subject="${subject}"]`).count()).toBe(1);
    // The JSON API and the hourly job read the same acknowledgement: taken on, not raised again.
    const api = (await clerk.evaluate(async () => (await fetch('/api/alerts')).json())) as {
      alerts: {
        kind: string;
        subject: string;
        state: string;
        acknowledged: { by: string; reason: string } | null;
      }[];
    };
    expect(
      api.alerts.find((alert) => alert.kind === 'unplayable' && alert.subject === subject),
    ).toMatchObject({
      state: 'acknowledged',
      acknowledged: { by: 'clerk', reason: '已交技术人员重新导出' },
    });
    expect(api.alerts.some((alert) => alert.state === 'open')).toBe(true);
    const job = complianceJobs(server.station).find((candidate) => candidate.name === 'compliance-alerts')!;
    const counts = (await job.run(new Date())) as Record<string, number>;
    const acknowledged = api.alerts.filter((alert) => alert.state === 'acknowledged').length;
    expect(counts.acknowledged).toBe(acknowledged);
    expect(counts.unplayable ?? 0).toBe(
      api.alerts.filter((alert) => alert.kind === 'unplayable' && alert.state === 'open').length,
    );
    expect(await clerk.locator('#alert-history').textContent()).toContain('已交技术人员重新导出');
    await screenshot(clerk, 'alerts-acknowledged');
    const entry = server.station.db
      .prepare(
        "SELECT actor, subject_id AS subject, detail FROM audit_log WHERE action = 'alert-acknowledged'",
      )
      .get() as { actor: string; subject: string; detail: string };
    expect(entry).toMatchObject({ actor: 'clerk', subject: `unplayable ${subject}` });
    expect(JSON.parse(entry.detail).reason).toBe('已交技术人员重新导出');
  });

  it('lets ops assign an alert to a named user, with the reason shown', async () => {
    const ops = await logIn('ops');
    await ops.goto(`${server.baseUrl}/alerts`);
    const storage = ops.locator('#alerts tr[data-kind="device-storage"]').first();
    const subject = await storage.getAttribute('data-subject');
    await storage.locator('form.assign select[name=assignee]').selectOption('ops');
    await storage.locator('form.assign input[name=reason]').fill('下次交接时清理存储卡');
    await Promise.all([ops.waitForURL(/state=all/), storage.locator('form.assign button').click()]);
    const row = ops.locator(`#alerts tr[data-kind="device-storage"][data-subject="${subject}"]`);
    expect(await row.locator('.handled.assigned').textContent()).toContain(
      '指派给 ops：下次交接时清理存储卡',
    );
    // Assigned is not acknowledged: it stays open until someone takes it on.
    expect(await row.getAttribute('data-state')).toBe('open');
    await screenshot(ops, 'alerts-assigned');
  });

  it('previews on 保存期限 what would be due by a later date', async () => {
    const ops = await logIn('ops');
    await ops.goto(`${server.baseUrl}/retention`);
    expect(await ops.locator('#due-count').textContent()).toBe('0');
    const later = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    await ops.fill('#as-of input[name=asOf]', later);
    await Promise.all([ops.waitForURL(/asOf=/), ops.click('#as-of button')]);
    expect(Number(await ops.locator('#preview-count').textContent())).toBeGreaterThan(0);
    expect(await ops.locator('h2', { hasText: later }).count()).toBe(1);
    await screenshot(ops, 'retention-as-of');
  });
});

describe('the station speaks its language in what it found', () => {
  it('words playback-check details, dock file notes, the integrity digest and 型号 from the catalogues', async () => {
    const clerk = await logIn('clerk');
    const damaged = server.station.db
      .prepare("SELECT id FROM recordings WHERE playback <> 'ok' AND kind = 'video' ORDER BY id LIMIT 1")
      .pluck()
      .get() as number;
    await clerk.goto(`${server.baseUrl}/recordings/${damaged}`);
    const findings = await clerk.locator('#playback-checks .finding-text').allTextContents();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.join('\n')).toMatch(/无法读取文件头|字节|解码/);
    expect(findings.join('\n')).not.toMatch(/\b(decoded|declares|keyframes|bytes)\b/);
    await screenshot(clerk, 'recording-checks');

    // The same recorder docked again: its files are already in the archive, and the card says so.
    const officer = await logIn('officer');
    await officer.goto(`${server.baseUrl}/docks`);
    await officer.waitForSelector('body[data-stream=open]');
    const again = await dockFolder(server.station, {
      sourceRoot: path.join(server.folder, 'troubled'),
      origin: 'folder',
      recorderChecks: true,
    });
    const card = officer.locator(`#finished-docks section.dock[data-dock="${again.dockId}"]`);
    await card.locator('.files li[data-state="known"]').first().waitFor();
    expect(await card.locator('.files li[data-state="known"] .note').first().textContent()).toMatch(
      /^此前已归档为记录 #\d+$/,
    );
    // What the first dock reported is not reported again.
    expect(await card.locator('.finding[data-finding="unplayable"]').count()).toBe(0);
    await screenshot(officer, 'dock-again');

    const ops = await logIn('ops');
    await ops.goto(`${server.baseUrl}/integrity`);
    const digest = await ops.locator('#audit-digest').textContent();
    expect(digest).toMatch(/链头条目：#\d+\n链头哈希：[0-9a-f]{64}\n条目数：\d+/);

    await ops.goto(`${server.baseUrl}/devices`);
    const models = await ops.locator('#devices tbody tr td:nth-child(2)').allTextContents();
    expect(models).toContain('DSJ-SIM');
    for (const model of models)
      expect(['generic', 'named-recorder', 'simulated']).not.toContain(model.trim());
    expect(await ops.locator('#devices tr[data-serial="DSJ0130"]').textContent()).toContain('快 2 小时');
  });
});
