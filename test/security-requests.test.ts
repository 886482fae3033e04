import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUsers } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildDashboard } from '../src/dashboard/app.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation, type Station } from '../src/station.ts';
import {
  type DashboardServer,
  HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { cookiesOf, rawRequest } from './helpers/raw-http.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

describe('a fresh station asked for its setup form under a foreign name (DNS rebinding)', () => {
  let folder: { path: string; remove(): Promise<void> };
  let station: Station;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    folder = await temporaryFolder('rebind');
    station = await openStation({
      config: loadConfig({ STATION_HOME: path.join(folder.path, 'home') }),
      logger: silentLogger,
    });
    app = await buildDashboard(station);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    station.close();
    await folder.remove();
  });

  it('refuses the form and the post when the Host is not a name of the station', async () => {
    const port = new URL(baseUrl).port;
    const host = `rebind.evil.example:${port}`;
    const form = await rawRequest(baseUrl, { path: '/setup', headers: { host } });
    expect(form.status).toBe(421);
    expect(form.body).not.toContain('name="_csrf"');

    // The attacker's page gets a real token from the station's own name, then posts under its own.
    const real = await rawRequest(baseUrl, { path: '/setup' });
    const token = /name="_csrf" value="([^"]+)"/.exec(real.body)![1];
    const post = await rawRequest(baseUrl, {
      method: 'POST',
      path: '/setup',
      headers: { host, origin: `http://${host}`, cookie: cookiesOf(real) },
      form: {
        name: 'mallory',
        password: 'a long enough secret',
        repeat: 'a long enough secret',
        _csrf: token,
      },
    });
    expect(post.status).toBe(421);
    expect(listUsers(station.db)).toEqual([]);
  });

  it('refuses a setup form posted from another site even under the station address', async () => {
    const real = await rawRequest(baseUrl, { path: '/setup' });
    const token = /name="_csrf" value="([^"]+)"/.exec(real.body)![1];
    const post = await rawRequest(baseUrl, {
      method: 'POST',
      path: '/setup',
      headers: { origin: 'http://evil.example', cookie: cookiesOf(real) },
      form: {
        name: 'mallory',
        password: 'a long enough secret',
        repeat: 'a long enough secret',
        _csrf: token,
      },
    });
    expect(post.status).toBe(403);
    expect(listUsers(station.db)).toEqual([]);
  });

  it('answers the station under its IP address and localhost', async () => {
    const port = new URL(baseUrl).port;
    expect((await rawRequest(baseUrl, { path: '/setup' })).status).toBe(200);
    expect(
      (await rawRequest(baseUrl, { path: '/setup', headers: { host: `localhost:${port}` } })).status,
    ).toBe(200);
  });
});

let server: DashboardServer;
beforeAll(async () => {
  server = await startDashboard();
});
afterAll(async () => {
  await server?.close();
});

describe('forms of a logged-in user', () => {
  it('are refused when another site sends them, even with the right CSRF token', async () => {
    const clerk = await loggedIn(server, 'clerk');
    const cookie = (clerk as unknown as { cookieHeader(): string }).cookieHeader();
    const crossSite = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/logout',
      headers: { cookie, origin: 'http://evil.example' },
      form: { _csrf: clerk.csrfToken },
    });
    expect(crossSite.status).toBe(403);
    const fetchMetadata = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/logout',
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
      form: { _csrf: clerk.csrfToken },
    });
    expect(fetchMetadata.status).toBe(403);
    expect((await clerk.get('/docks')).status).toBe(200);
    const sameSite = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/logout',
      headers: { cookie, origin: server.baseUrl, 'sec-fetch-site': 'same-origin' },
      form: { _csrf: clerk.csrfToken },
    });
    expect(sameSite.status).toBe(303);
  });
});

describe('redirects that take a target from the request', () => {
  const tricks = [
    '/\\evil.example/',
    '/%5Cevil.example/',
    '/%2F%2Fevil.example/',
    '/\t/evil.example/',
    '//evil.example/',
  ];

  it('send a login to the start page, never to another site', async () => {
    for (const next of tricks) {
      const client = new HttpClient(server.baseUrl);
      const form = await (await client.get('/login')).text();
      const token = /name="_csrf" value="([^"]+)"/.exec(form)![1];
      const response = await client.request('POST', '/login', {
        form: { name: 'leader', password: passwordOf('leader'), _csrf: token, next },
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('send a language switch back to the start page', async () => {
    for (const back of tricks) {
      const response = await rawRequest(server.baseUrl, {
        path: `/language?to=en&back=${encodeURIComponent(back)}`,
      });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/');
    }
    const fine = await rawRequest(server.baseUrl, {
      path: `/language?to=en&back=${encodeURIComponent('/ledger?page=2')}`,
    });
    expect(fine.headers.location).toBe('/ledger?page=2');
  });

  it('send an assignment back to the recording, not to another site', async () => {
    const { report } = await ingestSampleRecorder(server, {
      name: 'redirect',
      serial: 'RD0001',
      badge: officerBadge,
    });
    const id = report.recordings[0].id;
    const clerk = await loggedIn(server, 'clerk');
    for (const back of tricks) {
      const response = await clerk.request(
        'POST',
        `/recordings/${id}/assign?back=${encodeURIComponent(back)}`,
        {
          form: { _csrf: clerk.csrfToken, badge: officerBadge },
        },
      );
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/recordings/${id}`);
    }
  });
});

describe('requests that never finish arriving', () => {
  /** Sends `text` and waits for the server to close the connection; resolves with what it answered. */
  const sendAndWaitForClose = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(server.baseUrl);
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => {
        answer += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });

  it('are closed by the server within seconds: a body that stops, and headers that never end', async () => {
    const [slowBody, slowHeaders] = await Promise.all([
      sendAndWaitForClose(
        'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=cl',
      ),
      sendAndWaitForClose('GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n'),
    ]);
    expect(slowBody).toMatch(/^HTTP\/1\.1 408/);
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408/);
  }, 60_000);
});
