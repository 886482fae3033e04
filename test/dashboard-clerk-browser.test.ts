import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByName } from '../src/auth/users.ts';
import { verifyRecordingSeals } from '../src/custody/recording-seal.ts';
import { BrowserUsers, launchChromium, screenshots } from './helpers/browser.ts';
import {
  type DashboardServer,
  ingestSampleRecorder,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';

// The clerk's records through the real server in Chromium: decisions with reasons and their undo,
// 整批确认 that asks first, honest audit of viewing, people and their officer records, and the
// evidence export's history, re-download and statement sheet.

let server: DashboardServer;
let browser: Browser;
let users: BrowserUsers;
// The station's clock runs with the wall clock, and jumps ahead when a test moves it (a grant's end).
let clockOffsetMs = 0;
let dock: Awaited<ReturnType<typeof ingestSampleRecorder>>['report'];
const passwords = new Map<string, string>();

const logIn = (name: string): Promise<Page> => users.logIn(name, passwords.get(name) ?? passwordOf(name));

const screenshot = screenshots('clerk');

/** Submits the form a button is in and waits for the page it answers with. */
async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const auditCount = (where: string, ...values: unknown[]) =>
  server.station.db
    .prepare(`SELECT COUNT(*) FROM audit_log WHERE ${where}`)
    .pluck()
    .get(...values) as number;

beforeAll(async () => {
  server = await startDashboard({}, { now: () => new Date(Date.now() + clockOffsetMs) });
  dock = (
    await ingestSampleRecorder(server, {
      name: 'clerk-records',
      serial: 'R000001',
      badge: officerBadge,
      segments: 3,
      segmentSeconds: 2,
    })
  ).report;
  await server.station.playback.whenIdle();
  browser = await launchChromium();
  users = new BrowserUsers(browser, () => server.baseUrl);
});

afterAll(async () => {
  await users?.close();
  await browser?.close();
  await server?.close();
});

describe('people and their officer records', () => {
  it('answers a refused user form on the same page, beside the field, keeping what was typed', async () => {
    const page = await logIn('admin');
    await page.goto(`${server.baseUrl}/users`);
    const form = page.locator('#add-user');
    // A clerk without a real name.
    await form.locator('input[name=name]').fill('wangli');
    await form.locator('select[name=role]').selectOption('clerk');
    await form.locator('input[name=password]').fill('a long clerk passphrase');
    await submit(page, '#add-user button[type=submit]');
    expect(await page.locator('#real-name-error').textContent()).toContain('请填写使用人的姓名');
    expect(await form.locator('input[name=name]').inputValue()).toBe('wangli');
    expect(await page.locator('body').textContent()).not.toMatch(/needs a badge|400/);

    // An officer account whose badge no 执法人员 record holds.
    await form.locator('input[name=name]').fill('zhaoliu');
    await form.locator('select[name=role]').selectOption('officer');
    await form.locator('input[name=badge]').fill('099999');
    await form.locator('input[name=password]').fill('a long officer passphrase');
    await submit(page, '#add-user button[type=submit]');
    expect(await page.locator('#badge-error').textContent()).toContain(
      '没有执法证号为 099999 的执法人员，请先在“执法人员”页登记',
    );
    expect(await form.locator('input[name=badge]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'users-form-error');

    // A badge on record, but a name that is not the record's.
    await form.locator('input[name=name]').fill('lisi');
    await form.locator('input[name=realName]').fill('王五');
    await form.locator('select[name=role]').selectOption('officer');
    await form.locator('input[name=badge]').fill('010002');
    await form.locator('input[name=password]').fill('a long officer passphrase');
    await submit(page, '#add-user button[type=submit]');
    expect(await page.locator('#real-name-error').textContent()).toContain('登记的执法人员是“李四”');

    // Left blank, the name comes from the record, and the account links to it.
    await form.locator('input[name=realName]').fill('');
    await form.locator('input[name=password]').fill('a long officer passphrase');
    await submit(page, '#add-user button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/users');
    const row = page.locator('tr[data-user=lisi]');
    expect(await row.locator('.real-name').textContent()).toBe('李四');
    expect(await row.locator('a.officer-record').getAttribute('href')).toBe('/officers#officer-010002');
    expect(findUserByName(server.station.db, 'lisi')).toMatchObject({ realName: '李四', badge: '010002' });

    // The clerk account gets a real name, kept by the account.
    const clerk = page.locator('tr[data-user=clerk]');
    await clerk.locator('input[name=realName]').fill('王丽');
    await submit(page, 'tr[data-user=clerk] .real-name button');
    expect(await page.locator('tr[data-user=clerk] input[name=realName]').inputValue()).toBe('王丽');
    await screenshot(page, 'users');

    // The officer record names its account; a blank name is answered beside the field.
    await page.goto(`${server.baseUrl}/officers`);
    expect(await page.locator('tr[data-badge="010002"] .account').textContent()).toContain('lisi');
    expect(await page.locator(`tr[data-badge="${officerBadge}"] .account`).textContent()).toContain(
      'officer',
    );
    await page.locator('#add-officer input[name=badge]').fill('010003');
    await page.locator('#add-officer input[name=name]').fill('   ');
    await submit(page, '#add-officer button[type=submit]');
    expect(await page.locator('#officer-name-error').textContent()).toContain('请填写执法人员姓名');
    expect(await page.locator('#add-officer input[name=badge]').inputValue()).toBe('010003');
    await screenshot(page, 'officers-form-error');
  });

  it('names the holder of a recorder from the badge its recordings carry, not 未分配', async () => {
    const page = await logIn('ops');
    await page.goto(`${server.baseUrl}/devices`);
    const holder = await page.locator('tr[data-serial=R000001] .holder').textContent();
    expect(holder).toContain(`张三 ${officerBadge}`);
    expect(holder).not.toContain('未分配');
    await screenshot(page, 'devices');
  });

  it('lets a user change their own password from the link in the header', async () => {
    const page = await logIn('auditor');
    await submit(page, '#change-password');
    expect(new URL(page.url()).pathname).toBe('/account/password');
    await page.fill('input[name=current]', 'not the password');
    await page.fill('input[name=password]', 'a new auditor passphrase');
    await page.fill('input[name=repeat]', 'a new auditor passphrase');
    await submit(page, '#password-form button[type=submit]');
    expect(await page.locator('#password-error').textContent()).toContain('当前密码不正确');
    await page.fill('input[name=current]', passwordOf('auditor'));
    await page.fill('input[name=password]', 'a new auditor passphrase');
    await page.fill('input[name=repeat]', 'a new auditor passphrase');
    await submit(page, '#password-form button[type=submit]');
    expect(await page.locator('#password-changed').textContent()).toContain('密码已修改');
    await screenshot(page, 'password-changed');
    passwords.set('auditor', 'a new auditor passphrase');
    const again = await logIn('auditor');
    expect(await again.locator('#who').textContent()).toContain('auditor');
  });
});

describe('decisions with reasons', () => {
  it('replaces the buttons with who, when and why, and withdraws a decision only with a reason', async () => {
    const page = await logIn('clerk');
    expect(await page.locator('#who').textContent()).toContain('王丽（clerk）');
    const id = dock.recordings[0].id;
    await page.goto(`${server.baseUrl}/recordings/${id}`);
    expect(await page.locator('#confirm-recording').count()).toBe(1);

    // 无法回放 needs the clerk's words, asked for beside the field.
    await page.fill('form[action$="/not-playing"] input[name=note]', '  ');
    await submit(page, '#mark-not-playing');
    expect(await page.locator('#note-error').textContent()).toContain('请填写说明');
    await page.fill('form[action$="/not-playing"] input[name=note]', '画面全黑，无声音');
    await submit(page, '#mark-not-playing');
    expect(await page.locator('#decision').getAttribute('data-decision')).toBe('not-playing');
    expect(await page.locator('#decision-by').textContent()).toBe('王丽（clerk）');
    expect(await page.locator('#decision-at').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await page.locator('#decision-why').textContent()).toBe('画面全黑，无声音');
    expect(await page.locator('#confirm-recording').count()).toBe(0);
    expect(await page.locator('#mark-not-playing').count()).toBe(0);
    await screenshot(page, 'decision-not-playing');

    // 撤销 takes a reason too.
    await page.fill('#withdraw-form input[name=reason]', ' ');
    await submit(page, '#withdraw-decision');
    expect(await page.locator('#reason-error').textContent()).toContain('请填写撤销理由');
    expect(await page.locator('#decision').getAttribute('data-decision')).toBe('not-playing');
    await page.fill('#withdraw-form input[name=reason]', '播放器设置错误，换用后可正常播放');
    await submit(page, '#withdraw-decision');
    expect(await page.locator('#decision').count()).toBe(0);
    expect(await page.locator('#confirm-recording').count()).toBe(1);
    const correction = page.locator('#history tr', { has: page.locator('td[data-action=correction]') });
    expect(await correction.textContent()).toContain('播放器设置错误，换用后可正常播放');

    // Confirmed with a note, then that too withdrawn: both are corrections on the record.
    await page.fill('form[action$="/confirm"] input[name=note]', '逐段播放，画面声音正常');
    await submit(page, '#confirm-recording');
    expect(await page.locator('#decision').getAttribute('data-decision')).toBe('confirmation');
    expect(await page.locator('#decision-why').textContent()).toBe('逐段播放，画面声音正常');
    await screenshot(page, 'decision-confirmed');
    await page.fill('#withdraw-form input[name=reason]', '确认错了记录，应为下一条');
    await submit(page, '#withdraw-decision');
    // The correction reads as words and local times, not as JSON with UTC's Z.
    const withdrawn = (
      await page
        .locator('#history tr', { has: page.locator('td[data-action=correction]') })
        .locator('td.audit-detail')
        .allTextContents()
    ).join('\n');
    expect(withdrawn).toMatch(
      /字段: 回放确认 · 原值: （时间: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}，办理人: clerk）/,
    );
    expect(withdrawn).toContain('字段: 人工确认无法回放');
    expect(withdrawn).toContain('说明: 画面全黑，无声音');
    expect(withdrawn).not.toMatch(/[{}"]|\dZ\b|T\d{2}:/);
    await screenshot(page, 'decision-withdrawn');
    const row = server.station.db
      .prepare('SELECT confirmed_at, not_playing_at FROM recordings WHERE id = ?')
      .get(id);
    expect(row).toEqual({ confirmed_at: null, not_playing_at: null });
    const corrections = server.station.db
      .prepare('SELECT field, corrected_by, reason FROM corrections WHERE recording_id = ? ORDER BY id')
      .all(id);
    expect(corrections).toEqual([
      { field: 'not-playing', corrected_by: 'clerk', reason: '播放器设置错误，换用后可正常播放' },
      { field: 'confirmation', corrected_by: 'clerk', reason: '确认错了记录，应为下一条' },
    ]);
    // The seals still check out: each change came through the one ledger mutator.
    expect(verifyRecordingSeals(server.station.db).problems).toEqual([]);
  });

  it('asks before 整批确认 and lists what it will confirm and what it leaves', async () => {
    const page = await logIn('clerk');
    // One recording already decided: it is left out of the batch, with the reason.
    const decided = dock.recordings[1].id;
    await page.goto(`${server.baseUrl}/recordings/${decided}`);
    await submit(page, '#confirm-recording');

    await page.goto(`${server.baseUrl}/docks`);
    await submit(page, `tr[data-dock="${dock.dockId}"] a.confirm-all`);
    expect(new URL(page.url()).pathname).toBe(`/docks/${dock.dockId}/confirm`);
    const listed = (await page
      .locator('#bulk-confirmable tr[data-id]')
      .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-id'))))) as number[];
    const expected = dock.recordings.map((recording) => recording.id).filter((id) => id !== decided);
    expect([...listed].sort((a, b) => a - b)).toEqual(expected);
    expect(await page.locator(`#bulk-left tr[data-id="${decided}"] .left-out`).textContent()).toBe('已确认');
    expect(await page.locator('#bulk-submit').textContent()).toBe(`确认这 ${expected.length} 条记录`);
    // Nothing was confirmed by asking.
    expect(auditCount("action = 'confirm' AND detail LIKE '%bulkDock%'")).toBe(0);
    await screenshot(page, 'bulk-confirm');

    await submit(page, '#bulk-submit');
    expect(await page.locator('#bulk-confirmed').textContent()).toContain(`已确认 ${expected.length} 条`);
    expect(auditCount("action = 'confirm' AND detail LIKE '%bulkDock%'")).toBe(expected.length);
    await page.goto(`${server.baseUrl}/recordings/${expected[0]}`);
    expect(await page.locator('#decision-why').textContent()).toContain(`整批确认（采集批次 #${dock.dockId}`);
  });
});

describe('honest audit of viewing', () => {
  it('logs no playback when the detail page loads, and one when the player is started', async () => {
    const page = await logIn('clerk');
    const video = dock.recordings.find((recording) => recording.kind === 'video')!;
    const media: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/media')) media.push(request.headers().range ?? 'whole');
    });
    const played = () =>
      auditCount(`action = 'view' AND subject_id = ? AND detail LIKE '%"via":"player"%'`, String(video.id));
    await page.goto(`${server.baseUrl}/recordings/${video.id}`, { waitUntil: 'networkidle' });
    expect(await page.locator('#player').getAttribute('preload')).toBe('none');
    expect(media).toEqual([]);
    expect(played()).toBe(0);
    // The page view is on the record as what it is: the detail page, not a playback.
    const pageView = page.locator('#history tr', { has: page.locator('td[data-action=view]') }).last();
    await page.reload({ waitUntil: 'networkidle' });
    expect(await pageView.textContent()).toContain('详情页');
    expect(await pageView.textContent()).not.toContain('播放');

    await page.locator('#player').evaluate((element) => {
      const player = element as HTMLVideoElement;
      player.muted = true;
      player.play().catch(() => {});
    });
    await expect.poll(() => played()).toBe(1);
    expect(media.length).toBeGreaterThan(0);
    await page.reload({ waitUntil: 'networkidle' });
    expect(await page.locator('#history').textContent()).toContain('播放');
    await screenshot(page, 'recording-played');
  });
});

describe('evidence export on the web', () => {
  it('takes a reason and a party, warns about third parties only for 当事人, and keeps the export history', async () => {
    const clerk = await logIn('clerk');
    await clerk.goto(`${server.baseUrl}/access`);
    const warning = clerk.locator('#request-form .third-party');
    expect(await warning.isVisible()).toBe(false);
    await clerk.selectOption('#request-form select[name=purpose]', 'party-concerned');
    expect(await warning.isVisible()).toBe(true);
    await screenshot(clerk, 'access-party-concerned');
    await clerk.selectOption('#request-form select[name=purpose]', 'judicial-organ');
    expect(await warning.isVisible()).toBe(false);

    // A list of ids that is not one is answered beside the field, with everything else kept.
    await clerk.fill('#request-form input[name=recordings]', '12 三');
    await clerk.selectOption('#request-form select[name=mode]', 'copy');
    await clerk.fill('#request-form input[name=requestingParty]', '丰台区人民法院');
    await clerk.fill('#request-form textarea[name=reason]', '（2026）京0106行初123号案件举证');
    await submit(clerk, '#request-form button[type=submit]');
    expect(await clerk.locator('#recordings-error').textContent()).toContain('记录编号只能是数字');
    expect(await clerk.locator('#request-form textarea[name=reason]').inputValue()).toBe(
      '（2026）京0106行初123号案件举证',
    );
    const ids = dock.recordings.map((recording) => recording.id);
    await clerk.fill('#request-form input[name=recordings]', ids.join(', '));
    await clerk.selectOption('#request-form select[name=mode]', 'copy');
    await submit(clerk, '#request-form button[type=submit]');
    const requestRow = clerk.locator('#requests tr[data-request]').first();
    const requestId = Number(await requestRow.getAttribute('data-request'));
    expect(await requestRow.locator('.party').textContent()).toContain('丰台区人民法院');
    expect(await requestRow.locator('.reason').textContent()).toContain('京0106行初123号');

    const leader = await logIn('leader');
    await leader.goto(`${server.baseUrl}/access`);
    await submit(leader, `#requests tr[data-request="${requestId}"] form.approve button`);

    await clerk.goto(`${server.baseUrl}/access`);
    await submit(clerk, `#requests tr[data-request="${requestId}"] form.export button`);
    expect(new URL(clerk.url()).pathname).toBe('/access/export');
    const isoSha256 = (await clerk.locator('#iso-sha256').textContent())!;
    await screenshot(clerk, 'export');

    // The statement sheet to print and sign, as it is on the disc.
    const sheet = await clerk.context().newPage();
    await sheet.goto(
      new URL((await clerk.locator('#print-statement').getAttribute('href'))!, server.baseUrl).href,
    );
    const text = (await sheet.locator('body').textContent())!;
    expect(text).toContain('制作人签名');
    expect(text).toContain('王丽（clerk）');
    expect(text).toContain('丰台区人民法院');
    expect(text).toContain('（2026）京0106行初123号案件举证');
    expect(text).not.toContain('第三人');
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    await screenshot(sheet, 'statement');

    // The history lists it; the disc can be taken again while the grant lasts.
    await clerk.goto(`${server.baseUrl}/access`);
    const made = clerk.locator(`#exports tr[data-request="${requestId}"]`);
    expect(await made.count()).toBe(1);
    expect(await made.textContent()).toContain('王丽（clerk）');
    expect(await made.textContent()).toContain('可重新下载');
    await screenshot(clerk, 'access-history');
    const [download] = await Promise.all([
      clerk.waitForEvent('download'),
      made.locator('a.download-again').click(),
    ]);
    const file = path.join(server.folder, 'again.iso');
    await download.saveAs(file);
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(isoSha256);
    expect(auditCount("action = 'download' AND subject_id = ?", String(requestId))).toBeGreaterThan(0);

    // Once the grant is over, the history says so and the disc is no longer handed out.
    clockOffsetMs = 8 * 86_400_000;
    const later = await logIn('clerk');
    await later.goto(`${server.baseUrl}/access`);
    const ended = later.locator(`#exports tr[data-request="${requestId}"]`);
    expect(await ended.textContent()).toContain('授权已到期');
    expect(await ended.locator('a.download-again').count()).toBe(0);
    await screenshot(later, 'access-history-expired');
    const folder = (await made.getAttribute('data-export'))!;
    const refused = await later.goto(
      `${server.baseUrl}/access/export/iso?request=${requestId}&folder=${folder}`,
    );
    expect(refused?.status()).toBe(409);
  });
});
