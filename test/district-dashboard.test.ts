import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/config.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { buildDistrictDashboard } from '../src/district/dashboard/app.ts';
import { DistrictLedger } from '../src/district/district-ledger.ts';
import { districtStore } from '../src/district/district-settings.ts';
import { createS3Client } from '../src/district/s3-client.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation, type Station } from '../src/station.ts';
import {
  createBucket,
  createDistrictDatabase,
  districtServices,
  s3Settings,
} from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

const services = districtServices();
const passwordOf = (name: string) => `password-of-${name}`;

describe.skipIf(!services)('station district serve: the district view in a real browser', () => {
  let east: DistrictStation;
  let west: DistrictStation;
  let view: Station;
  let app: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let ledger: DistrictLedger;
  let s3: ReturnType<typeof createS3Client>;
  let removeFolder: () => Promise<void>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    east = await openDistrictStation(services!, { stationId: 'ft-east', bucket, postgresUrl });
    west = await openDistrictStation(services!, { stationId: 'ft-west', bucket, postgresUrl });
    await east.ingest(2, { badge: '010001' });
    await west.ingest(1, { badge: '010002' });
    await east.sync.runOnce();
    await west.sync.runOnce();

    // The district view has a home of its own: its users, sessions and audit chain.
    const folder = await temporaryFolder('district-view');
    removeFolder = folder.remove;
    const configFile = path.join(folder.path, 'district-view.json');
    await writeFile(
      configFile,
      JSON.stringify({
        station: { name: '示例区执法记录仪管理' },
        district: { s3: s3Settings(services!, bucket), postgresUrl },
      }),
    );
    const config = loadConfig({ STATION_HOME: path.join(folder.path, 'home'), STATION_CONFIG: configFile });
    view = await openStation({ config, logger: silentLogger });
    for (const [name, role] of [
      ['leader1', 'leader'],
      ['auditor1', 'auditor'],
      ['clerk1', 'clerk'],
    ] as const) {
      await addUser(view.db, { name, role, password: passwordOf(name) }, new Date());
    }
    const store = districtStore(config);
    ledger = new DistrictLedger(store.postgresUrl, store.zone);
    s3 = createS3Client(store);
    app = await buildDistrictDashboard(view, { ledger, s3, bucket });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.close();
    s3?.destroy();
    await ledger?.close();
    view?.close();
    await removeFolder?.();
    await east?.close();
    await west?.close();
  });

  async function logIn(name: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.fill('input[name=name]', name);
    await page.fill('input[name=password]', passwordOf(name));
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/login')),
      page.click('button[type=submit]'),
    ]);
    return page;
  }

  it("shows each station's health, the union ledger filtered by station, and figures per station and officer", async () => {
    const page = await logIn('clerk1');
    expect(new URL(page.url()).pathname).toBe('/stations');
    expect(await page.textContent('h1')).toBe('各采集站状态');
    const stations = await page.$$eval('#stations tbody tr', (rows) =>
      rows.map((row) => ({
        id: row.getAttribute('data-station'),
        backlog: row.querySelector('.backlog')?.textContent,
        failures: row.querySelector('.failures')?.textContent,
        recordings: row.querySelector('.recordings')?.textContent,
      })),
    );
    expect(stations).toEqual([
      { id: 'ft-east', backlog: '0', failures: '0', recordings: '2' },
      { id: 'ft-west', backlog: '0', failures: '0', recordings: '1' },
    ]);

    await page.click('header a[href="/ledger"]');
    expect(await page.$$eval('#district-ledger tbody tr', (rows) => rows.length)).toBe(3);
    await page.selectOption('#filter-station', 'ft-west');
    await Promise.all([page.waitForURL(/station=ft-west/), page.click('#ledger-filters button')]);
    const west = await page.$$eval('#district-ledger tbody tr', (rows) =>
      rows.map((row) => row.getAttribute('data-station')),
    );
    expect(west).toEqual(['ft-west']);
    expect(await page.textContent('#district-ledger tbody')).toContain('李四');

    await page.click('header a[href="/statistics"]');
    const byStation = await page.$$eval('#by-station tbody tr', (rows) =>
      rows.map((row) => [row.getAttribute('data-station'), row.querySelector('.recordings')?.textContent]),
    );
    expect(byStation).toEqual([
      ['ft-east', '2'],
      ['ft-west', '1'],
    ]);
    const byOfficer = await page.$$eval('#by-officer tbody tr', (rows) =>
      rows.map((row) => [row.getAttribute('data-station'), row.getAttribute('data-badge')]),
    );
    expect(byOfficer).toEqual([
      ['ft-east', '010001'],
      ['ft-west', '010002'],
    ]);
  });

  it('plays footage from the bucket only under a grant a leader approved', async () => {
    const clerk = await logIn('clerk1');
    const detail = `${baseUrl}/recordings/ft-east/1`;
    await clerk.goto(detail);
    expect(await clerk.$('#player')).toBeNull();
    const refused = await clerk.request.get(`${detail}/media`);
    expect(refused.status()).toBe(403);
    await clerk.selectOption('#request-access select[name=purpose]', 'administrative-review');
    await clerk.fill('#request-access input[name=reason]', '复议材料');
    await Promise.all([clerk.waitForURL(detail), clerk.click('#request-access button')]);
    expect(await clerk.textContent('#request-pending')).toBe('调阅申请待批准。');

    // An auditor (no grant of their own) and an undecided request open nothing.
    const auditor = await logIn('auditor1');
    expect((await auditor.request.get(`${detail}/media`)).status()).toBe(403);
    expect(
      (
        await auditor.request.post(`${baseUrl}/requests/1/decision`, { form: { decision: 'approve' } })
      ).status(),
    ).toBe(403);

    const leader = await logIn('leader1');
    await leader.goto(`${baseUrl}/requests`);
    await Promise.all([
      leader.waitForURL(`${baseUrl}/requests`),
      leader.click('tr[data-request="1"] button.approve'),
    ]);
    expect(await leader.textContent('tr[data-request="1"] .state')).toContain('已批准');

    await clerk.goto(detail);
    await clerk.waitForFunction(() => {
      const video = document.querySelector('video#player') as HTMLVideoElement | null;
      return video !== null && video.readyState >= 1 && video.duration > 0;
    });
    const media = await clerk.request.get(`${detail}/media`);
    expect(media.status()).toBe(200);
    const body = await media.body();
    expect(createHash('sha256').update(body).digest('hex')).toBe(findRecording(east.station.db, 1)!.sha256);
    const part = await clerk.request.get(`${detail}/media`, { headers: { range: 'bytes=0-99' } });
    expect(part.status()).toBe(206);
    expect((await part.body()).length).toBe(100);

    // Every view, the request and the decision are in the district view's own audit chain.
    const trail = auditTrail(view.db, 'district-recording', 'ft-east#1');
    expect(trail.map((entry) => entry.action)).toEqual(expect.arrayContaining(['access-request', 'view']));
    expect(trail.find((entry) => entry.action === 'view')!.detail).toMatchObject({
      via: 'district-player',
      grant: 1,
    });
    expect(auditTrail(view.db, 'district-access-request', 1).map((entry) => entry.action)).toContain(
      'access-decision',
    );
  });
});
