import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByName, setUserDisabled } from '../src/auth/users.ts';
import {
  type DashboardServer,
  HttpClient,
  loggedIn,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
const attemptsPerMinute = 3;

beforeAll(async () => {
  server = await startDashboard({ loginLimits: { accountFailures: attemptsPerMinute } });
});

afterAll(async () => {
  await server?.close();
});

const auditActions = (actor: string) =>
  server.station.db.prepare('SELECT action FROM audit_log WHERE actor = ? ORDER BY id').pluck().all(actor);

describe('logging in', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and goes back to the page asked for', async () => {
    const client = new HttpClient(server.baseUrl);
    const form = await (await client.get('/login?next=/ledger')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(form)![1];
    const response = await client.request('POST', '/login', {
      form: { name: 'clerk', password: passwordOf('clerk'), _csrf: token, next: '/ledger' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ledger');
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('station_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(auditActions('clerk')).toContain('login');
  });

  it('never redirects to another site after login', async () => {
    const client = new HttpClient(server.baseUrl);
    const form = await (await client.get('/login')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(form)![1];
    const response = await client.request('POST', '/login', {
      form: { name: 'leader', password: passwordOf('leader'), _csrf: token, next: '//evil.example/' },
    });
    expect(response.headers.get('location')).toBe('/');
  });

  it('refuses a login form without its CSRF token, and a wrong password, and logs both', async () => {
    const client = new HttpClient(server.baseUrl);
    await client.get('/login');
    const noToken = await client.request('POST', '/login', {
      form: { name: 'ops', password: passwordOf('ops'), _csrf: 'made-up' },
    });
    expect(noToken.status).toBe(401);
    expect((await client.login('ops', 'wrong password')).status).toBe(401);
    expect(auditActions('ops')).toEqual(['login-failed', 'login-failed']);
  });

  it('slows a password guesser down: too many attempts for one name answer 429', async () => {
    const client = new HttpClient(server.baseUrl);
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= attemptsPerMinute; attempt++)
      statuses.push((await client.login('auditor', `guess ${attempt}`)).status);
    expect(statuses).toEqual([...Array(attemptsPerMinute).fill(401), 429]);
  });

  it('ends the session on logout and when an admin disables the user', async () => {
    const officer = await loggedIn(server, 'officer');
    expect((await officer.post('/logout')).status).toBe(303);
    expect((await officer.get('/docks')).status).toBe(303);
    expect(auditActions('officer')).toEqual(['login', 'logout']);

    const leader = await loggedIn(server, 'leader');
    const admin = await loggedIn(server, 'admin');
    const leaderId = findUserByName(server.station.db, 'leader')!.id;
    expect((await admin.post(`/users/${leaderId}/disabled`, { disabled: 'true' })).status).toBe(303);
    expect((await leader.get('/docks')).status).toBe(303);
    expect((await new HttpClient(server.baseUrl).login('leader', passwordOf('leader'))).status).toBe(401);
    setUserDisabled(server.station.db, leaderId, false);
  });
});
