import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUsers } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildDashboard } from '../src/dashboard/app.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation, type Station } from '../src/station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

function cookiesOf(response: { cookies: { name: string; value: string }[] }): Record<string, string> {
  return Object.fromEntries(response.cookies.map((cookie) => [cookie.name, cookie.value]));
}

describe('first run of a fresh station', () => {
  let folder: { path: string; remove(): Promise<void> };
  let station: Station;
  let app: FastifyInstance;

  beforeAll(async () => {
    folder = await temporaryFolder('setup');
    station = await openStation({
      config: loadConfig({ STATION_HOME: path.join(folder.path, 'home') }),
      logger: silentLogger,
    });
    app = await buildDashboard(station);
  });
  afterAll(async () => {
    await app.close();
    station.close();
    await folder.remove();
  });

  async function setupForm() {
    const form = await app.inject({ method: 'GET', url: '/setup', remoteAddress: '127.0.0.1' });
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    return { token, cookies: cookiesOf(form) };
  }

  it('sends the login page to the setup form while there are no users', async () => {
    const login = await app.inject({ method: 'GET', url: '/login', remoteAddress: '127.0.0.1' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/setup');
  });

  it('refuses to make the first admin for anyone but the station PC itself', async () => {
    const remote = await app.inject({ method: 'GET', url: '/setup', remoteAddress: '192.0.2.10' });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).toContain('station users add');
  });

  it('refuses passwords that differ and forms without their token', async () => {
    const { token, cookies } = await setupForm();
    const differ = await app.inject({
      method: 'POST',
      url: '/setup',
      remoteAddress: '127.0.0.1',
      cookies,
      payload: { name: 'admin', password: 'correct horse', repeat: 'correct hose', _csrf: token },
    });
    expect(differ.statusCode).toBe(400);
    const forged = await app.inject({
      method: 'POST',
      url: '/setup',
      remoteAddress: '127.0.0.1',
      payload: { name: 'admin', password: 'correct horse', repeat: 'correct horse', _csrf: 'guess' },
    });
    expect(forged.statusCode).toBe(400);
    expect(listUsers(station.db)).toEqual([]);
  });

  it('creates the first admin, signs them in, and then closes for good', async () => {
    const { token, cookies } = await setupForm();
    const created = await app.inject({
      method: 'POST',
      url: '/setup',
      remoteAddress: '127.0.0.1',
      cookies,
      payload: { name: 'admin', password: 'correct horse', repeat: 'correct horse', _csrf: token },
    });
    expect(created.statusCode).toBe(303);
    expect(cookiesOf(created).station_session).toBeTruthy();
    expect(listUsers(station.db).map((user) => [user.name, user.role])).toEqual([['admin', 'admin']]);
    const again = await app.inject({ method: 'GET', url: '/setup', remoteAddress: '127.0.0.1' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/login');
  });
});
