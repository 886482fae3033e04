import { rm } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserUsers, launchChromium, screenshots } from './helpers/browser.ts';
import {
  type DashboardServer,
  ingestSampleRecorder,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
let browser: Browser;
let users: BrowserUsers;

const logIn = (role: string): Promise<Page> => users.logIn(role, passwordOf(role));

const screenshot = screenshots('dashboard');

beforeAll(async () => {
  server = await startDashboard();
  browser = await launchChromium();
  users = new BrowserUsers(browser, () => server.baseUrl);
});

afterAll(async () => {
  await users?.close();
  await browser?.close();
  await server?.close();
});

describe('the dashboard in a browser', () => {
  it('shows an officer their dock live, from copying to "safe to undock"', async () => {
    const page = await logIn('officer');
    await page.goto(`${server.baseUrl}/docks`);
    await page.waitForSelector('body[data-stream=open]');
    // Every value the dock's bar takes, as the page draws it from server-sent events.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { barValues: number[] }).barValues = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('section.dock .dock-progress');
        if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
      }).observe(document.querySelector('main')!, {
        subtree: true,
        childList: true,
        attributes: true,
      });
    });
    const ingest = ingestSampleRecorder(server, {
      name: 'live',
      serial: 'B000001',
      badge: officerBadge,
      segments: 3,
      segmentSeconds: 2,
    });
    await page.locator('#live-docks .dock').first().waitFor();
    const { report } = await ingest;
    expect(report.state).toBe('done');
    // Finished, the card moves from 当前采集 to 刚完成.
    await page.waitForSelector(`#finished-docks .dock[data-dock="${report.dockId}"][data-state="done"]`);
    const card = page.locator(`section.dock[data-dock="${report.dockId}"]`);
    expect(await page.locator(`#live-docks .dock[data-dock="${report.dockId}"]`).count()).toBe(0);
    await expect
      .poll(() => card.locator('.dock-progress').evaluate((bar) => (bar as HTMLProgressElement).value))
      .toBe(100);
    expect(await card.locator('.safe.yes').textContent()).toContain('可以拔出');
    const values = await page.evaluate(() => (window as unknown as { barValues: number[] }).barValues);
    expect(values.at(-1)).toBe(100);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(await card.locator('.files li').count()).toBe(report.recordings.length);
    await screenshot(page, 'docks');
  });

  it('lets the clerk filter the ledger, confirm a recording and export the filter to Excel', async () => {
    await ingestSampleRecorder(server, { name: 'other', serial: 'B000002', badge: '010002' });
    const page = await logIn('clerk');
    await page.goto(`${server.baseUrl}/ledger`);
    await page.fill('#ledger-filters input[name=badge]', officerBadge);
    await Promise.all([page.waitForURL(/badge=010001/), page.click('#apply-filter')]);
    const badges = await page.locator('table.ledger tbody tr td:nth-child(3)').allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set([officerBadge]));
    await screenshot(page, 'ledger');

    const firstRow = page.locator('table.ledger tbody tr', { hasText: '视频' }).first();
    const id = Number(await firstRow.getAttribute('data-id'));
    await Promise.all([
      page.waitForURL(new RegExp(`/recordings/${id}$`)),
      firstRow.locator('a').first().click(),
    ]);
    // Opening the page plays nothing and serves no footage (preload none); pressing play does, on the record.
    const playerEntries = () =>
      server.station.db
        .prepare(
          `SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND subject_id = ? AND detail LIKE '%"via":"player"%'`,
        )
        .pluck()
        .get(String(id));
    expect(await page.locator('#player').evaluate((video) => (video as HTMLVideoElement).readyState)).toBe(0);
    expect(playerEntries()).toBe(0);
    await page.locator('#player').evaluate((video) => {
      const player = video as HTMLVideoElement;
      player.muted = true;
      player.play().catch(() => {});
    });
    await expect
      .poll(() => page.locator('#player').evaluate((video) => (video as HTMLVideoElement).readyState))
      .toBeGreaterThan(0);
    expect(playerEntries()).toBe(1);
    await Promise.all([page.waitForLoadState('load'), page.click('#confirm-recording')]);
    await page.waitForSelector('#confirmed-note');
    await screenshot(page, 'recording');
    const row = server.station.db.prepare('SELECT confirmed_by FROM recordings WHERE id = ?').get(id);
    expect(row).toEqual({ confirmed_by: 'clerk' });
    const actions = server.station.db
      .prepare(
        "SELECT action FROM audit_log WHERE subject_type = 'recording' AND subject_id = ? AND actor = 'clerk'",
      )
      .pluck()
      .all(String(id));
    expect(actions).toEqual(expect.arrayContaining(['view', 'confirm']));

    await page.goto(`${server.baseUrl}/ledger?badge=${officerBadge}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    const file = path.join(server.folder, 'ledger.xlsx');
    await download.saveAs(file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0];
    const header = sheet.getRow(1).values as string[];
    expect(header).toContain('执法人员');
    const rows = sheet.getSheetValues().slice(2, -1) as string[][];
    expect(rows.length).toBe(badges.length);
    expect(sheet.getSheetValues().at(-1)).toContain(`共 ${badges.length} 条记录`);
    expect(rows.every((cells) => cells.includes('张三') && cells.includes(officerBadge))).toBe(true);
    await rm(file);
  });

  it('switches to English and back, and remembers the choice', async () => {
    const page = await logIn('leader');
    await page.goto(`${server.baseUrl}/ledger`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('header nav').textContent()).toContain('台账');
    await Promise.all([page.waitForLoadState('load'), page.click('#switch-language')]);
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(new URL(page.url()).pathname).toBe('/ledger');
    expect(await page.locator('header nav').textContent()).toContain('Ledger');
    await page.goto(`${server.baseUrl}/devices`);
    expect(await page.locator('h1').textContent()).toBe('Devices');
    await screenshot(page, 'devices-en');
    await Promise.all([page.waitForLoadState('load'), page.click('#switch-language')]);
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await page.locator('h1').textContent()).toBe('设备');
  });

  it('refuses a role the page is not for, and says so', async () => {
    const page = await logIn('ops');
    const response = await page.goto(`${server.baseUrl}/users`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('#error-message').textContent()).toContain('无权');
    expect(await page.locator('header nav a[href="/users"]').count()).toBe(0);
    const exported = await page.goto(`${server.baseUrl}/ledger/export.xlsx`);
    expect(exported?.status()).toBe(403);
    await screenshot(page, 'refused');
    await page.goto(`${server.baseUrl}/alerts`);
    await screenshot(page, 'alerts');
  });

  // A zh-CN station must not greet anyone in English: every page each role reaches from the menu is
  // read as rendered, and three English words in a row outside code (paths, hashes, decoder output)
  // count as an untranslated sentence. Runs last, so the pages hold what the tests above made.
  it('shows no untranslated English sentence on any page of any role, and photographs each', async () => {
    const found: string[] = [];
    for (const role of ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin']) {
      const page = await logIn(role);
      const links = await page
        .locator('header nav a')
        .evaluateAll((anchors) =>
          anchors
            .map((anchor) => (anchor as HTMLAnchorElement).pathname)
            .filter((href) => href !== '/logout'),
        );
      for (const link of [...new Set(links)]) {
        await page.goto(`${server.baseUrl}${link}`);
        const english = await page.evaluate(() => {
          const clone = document.body.cloneNode(true) as HTMLElement;
          clone.querySelectorAll('code, pre, script, style, option, .raw').forEach((node) => {
            node.remove();
          });
          // A command to type (`station audit check`) is a name, not a sentence to translate.
          const text = clone.textContent.replace(/\bstation( [a-z-]+)+/g, '');
          return text.match(/\b[A-Za-z][a-z]+(?:[ ,]+[A-Za-z][a-z]+){2,}\b/g) ?? [];
        });
        for (const sentence of english) found.push(`${role} ${link}: ${sentence}`);
        await screenshot(page, `${role}${link.replaceAll('/', '-')}`);
      }
    }
    expect(found).toEqual([]);
  }, 600_000);
});
