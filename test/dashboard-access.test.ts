import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/auth/api-tokens.ts';
import { roles } from '../src/auth/roles.ts';
import { addUser, findUserByName } from '../src/auth/users.ts';
import { closeDueWindows } from '../src/custody/audit-windows.ts';
import {
  type DashboardServer,
  HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
let ids: { dock: number; recording: number; otherRecording: number; user: number; token: number };

const routeRefusals = () =>
  Number(
    server.station.db
      .prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'access-refused' AND subject_type = 'route'")
      .pluck()
      .get(),
  );

/** A concrete URL for a route pattern, with ids of real rows. */
function concreteUrl(url: string): string {
  if (url === '/static/:name') return '/static/docks.js';
  if (url.startsWith('/users/tokens/')) return url.replace(':id', String(ids.token));
  if (url.startsWith('/users/')) return url.replace(':id', String(ids.user));
  if (url.includes('docks/:id')) return url.replace(':id', String(ids.dock));
  return url.replace(':id', String(ids.recording));
}

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures: 100 } });
  const own = await ingestSampleRecorder(server, { name: 'own', serial: 'A000001', badge: officerBadge });
  const other = await ingestSampleRecorder(server, { name: 'other', serial: 'A000002', badge: '010002' });
  const admin = findUserByName(server.station.db, 'admin')!;
  ids = {
    dock: own.report.dockId,
    recording: own.report.recordings[0].id,
    otherRecording: other.report.recordings[0].id,
    user: admin.id,
    token: createApiToken(server.station.db, admin.id, 'walk', new Date()).id,
  };
});

afterAll(async () => {
  await server?.close();
});

describe('dashboard access', () => {
  it('declares who may use every route', () => {
    expect(server.app.routeTable.length).toBeGreaterThan(25);
    for (const route of server.app.routeTable) expect(route.roles).toBeTruthy();
  });

  it('lets every role use exactly the routes the access table gives it, and refuses the rest', async () => {
    // Logging out ends the session, so it is walked last.
    const routes = [...server.app.routeTable].sort(
      (a, b) => Number(a.url === '/logout') - Number(b.url === '/logout'),
    );
    const outcomes: string[] = [];
    for (const role of roles) {
      const client = await loggedIn(server, role);
      for (const route of routes) {
        if (route.roles === 'public') continue;
        const allowed = route.roles.includes(role);
        const before = routeRefusals();
        const abort = new AbortController();
        const response = await client.request(route.method, concreteUrl(route.url), {
          form: route.method === 'POST' ? { _csrf: client.csrfToken } : undefined,
          signal: abort.signal,
        });
        abort.abort();
        const refused = response.status === 403 && routeRefusals() === before + 1;
        outcomes.push(
          `${role} ${route.method} ${route.url} ${allowed ? 'allowed' : 'refused'}: ${response.status}`,
        );
        expect(refused, outcomes.at(-1)).toBe(!allowed);
        // The role opens the player route; an auditor still needs an approved request for the footage itself.
        const needsGrant = role === 'auditor' && route.url === '/recordings/:id/media';
        // This station has no interruption with a spoken-reason clip (test/spoken-reason.test.ts plays one).
        const noClip = route.url === '/interruptions/:id/spoken-reason';
        if (allowed)
          expect(needsGrant ? [403] : noClip ? [404] : [200, 206, 303, 400], outcomes.at(-1)).toContain(
            response.status,
          );
      }
    }
  });

  it('sends a visitor without a session to the login page, and answers 401 under /api/', async () => {
    const anonymous = new HttpClient(server.baseUrl);
    const page = await anonymous.get('/ledger?badge=010001');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/ledger?badge=010001')}`);
    expect((await anonymous.get('/api/ledger')).status).toBe(401);
    expect((await anonymous.get(`/recordings/${ids.recording}/media`)).status).toBe(303);
  });

  it('forbids framing and foreign scripts on every answer, the login page included', async () => {
    const response = await new HttpClient(server.baseUrl).get('/login');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const icon = await new HttpClient(server.baseUrl).get('/favicon.ico');
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
  });

  it('refuses a form posted without the session CSRF token', async () => {
    const clerk = await loggedIn(server, 'clerk');
    const forged = await clerk.request('POST', `/recordings/${ids.recording}/not-playing`, {
      form: { note: 'forged', _csrf: 'wrong' },
    });
    expect(forged.status).toBe(403);
    const row = server.station.db
      .prepare('SELECT not_playing_at FROM recordings WHERE id = ?')
      .get(ids.recording);
    expect(row).toEqual({ not_playing_at: null });
  });

  it('answers /api/ to an API token with the rights of its user, and never serves pages to one', async () => {
    const clerk = findUserByName(server.station.db, 'clerk')!;
    const ops = findUserByName(server.station.db, 'ops')!;
    const { token } = createApiToken(server.station.db, clerk.id, 'records system', new Date());
    const opsToken = createApiToken(server.station.db, ops.id, 'monitoring', new Date()).token;
    const api = (url: string, bearer: string) =>
      fetch(new URL(url, server.baseUrl), {
        redirect: 'manual',
        headers: { authorization: `Bearer ${bearer}` },
      });
    const ledger = await api('/api/ledger?badge=010001', token);
    expect(ledger.status).toBe(200);
    const body = (await ledger.json()) as { recordings: { badge: string }[] };
    expect(body.recordings.length).toBeGreaterThan(0);
    expect(body.recordings.every((recording) => recording.badge === officerBadge)).toBe(true);
    expect((await api('/api/users', opsToken)).status).toBe(404);
    expect((await api('/api/devices', opsToken)).status).toBe(200);
    expect((await api('/api/ledger', 'bwc_not-a-token')).status).toBe(401);
    expect((await api('/api/ledger?from=2026-13-01', token)).status).toBe(400);
    expect((await api('/api/ledger?from=2026-12-31', token)).status).toBe(200);
    expect((await api('/ledger', token)).status).toBe(303);
  });

  it('shows a token made in the dashboard once, after a redirect, naming whose it is; it opens the API', async () => {
    const admin = await loggedIn(server, 'admin');
    // An admin mints tokens for themselves only (a token for another user would be that user).
    const clerk = findUserByName(server.station.db, 'admin')!;
    const tokenCount = () =>
      server.station.db.prepare('SELECT COUNT(*) FROM api_tokens').pluck().get() as number;
    const before = tokenCount();
    const made = await admin.post(`/users/${clerk.id}/tokens`, { name: '档案系统' });
    expect(made.status).toBe(303);
    const shownAt = made.headers.get('location')!;
    const shown = await admin.get(shownAt);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const page = await shown.text();
    expect(page).toContain('用户 admin 的令牌“档案系统”只显示这一次');
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(page)![1];
    const ledger = await fetch(new URL('/api/devices', server.baseUrl), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ledger.status).toBe(200);
    // Reloading the page shows no secret and makes no second token; another user cannot claim it.
    expect(await (await admin.get(shownAt)).text()).not.toContain(token);
    expect(tokenCount()).toBe(before + 1);
    const other = await admin.post(`/users/${clerk.id}/tokens`, { name: 'second' });
    await addUser(server.station.db, { name: 'admin2', role: 'admin', password: 'pw-admin2' }, new Date());
    const secondAdmin = new HttpClient(server.baseUrl);
    await secondAdmin.login('admin2', 'pw-admin2');
    const claimed = await secondAdmin.get(other.headers.get('location')!);
    expect(claimed.status).toBe(200);
    expect(await claimed.text()).not.toContain('new-token');
  });

  it('shows an officer only their own recordings, in the ledger, the API and the detail page', async () => {
    const officer = await loggedIn(server, 'officer');
    const api = (await (await officer.get('/api/ledger')).json()) as { recordings: { badge: string }[] };
    expect(api.recordings.length).toBeGreaterThan(0);
    expect(api.recordings.every((recording) => recording.badge === officerBadge)).toBe(true);
    const asked = (await (await officer.get('/api/ledger?badge=010002')).json()) as { recordings: unknown[] };
    expect(asked.recordings).toEqual([]);
    expect((await officer.get(`/recordings/${ids.otherRecording}`)).status).toBe(404);
    expect((await officer.get(`/recordings/${ids.otherRecording}/media`)).status).toBe(404);
    expect((await officer.get(`/recordings/${ids.recording}`)).status).toBe(200);
  });

  it('lets an auditor read the ledger but not play footage without an approved request (art. 27)', async () => {
    const auditor = await loggedIn(server, 'auditor');
    const refusals = () =>
      server.station.db
        .prepare(
          "SELECT COUNT(*) FROM audit_log WHERE action = 'access-refused' AND subject_type = 'recording' AND actor = 'auditor'",
        )
        .pluck()
        .get();
    // Refusals are coalesced per user; the walk above left a window open.
    closeDueWindows(server.station.db, new Date(), 0, true);
    const before = refusals();
    expect((await auditor.get(`/recordings/${ids.recording}`)).status).toBe(200);
    const media = await auditor.get(`/recordings/${ids.recording}/media`);
    expect(media.status).toBe(403);
    expect(refusals()).toBe(Number(before) + 1);
  });
});
