import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildDashboard } from '../src/dashboard/app.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import { repoRoot, runStation, temporaryFolder } from './helpers/station-cli.ts';

const run = promisify(execFile);
const modeOf = (file: string) => statSync(file).mode & 0o777;

let folder: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('security-files');
});
afterAll(async () => {
  await folder?.remove();
});

describe('the station home on disk', () => {
  it('is private to the station’s account: home and exports 0700, the database 0600', async () => {
    const home = path.join(folder.path, 'fresh');
    const added = await runStation(['users', 'add', 'admin', '--role', 'admin', '--password-stdin'], {
      home,
      input: 'a long admin passphrase\n',
    });
    expect(added.code).toBe(0);
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(path.join(home, 'exports'))).toBe(0o700);
    expect(modeOf(path.join(home, 'station.db'))).toBe(0o600);
  });

  it('tightens the home of an older install that anyone on the PC could read', async () => {
    const home = path.join(folder.path, 'older');
    mkdirSync(home, { mode: 0o755 });
    chmodSync(home, 0o755);
    const db = openDatabase(path.join(home, 'station.db'));
    db.close();
    chmodSync(path.join(home, 'station.db'), 0o644);
    const listed = await runStation(['users', 'list'], { home });
    expect(listed.code).toBe(0);
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(path.join(home, 'station.db'))).toBe(0o600);
  });

  it('runs as its own system user under systemd, not as root', () => {
    const unit = readFileSync(path.join(repoRoot, 'scripts', 'bwc-station.service'), 'utf8');
    expect(unit).toMatch(/^User=bwc-station$/m);
    expect(unit).toMatch(/^Group=bwc-station$/m);
    expect(unit).not.toMatch(/^User=root$/m);
    const setup = readFileSync(path.join(repoRoot, 'scripts', 'setup.sh'), 'utf8');
    expect(setup).toContain('useradd --system');
  });
});

describe('the dashboard over TLS', () => {
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    certFile = path.join(folder.path, 'cert.pem');
    keyFile = path.join(folder.path, 'key.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=station',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
  });

  /** A request over TLS that trusts only the station's own certificate. */
  const get = (port: number, requestPath: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
      (resolve, reject) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            port,
            path: requestPath,
            method: body === undefined ? 'GET' : 'POST',
            ca: readFileSync(certFile),
            headers,
          },
          (response) => {
            let text = '';
            response.on('data', (chunk) => {
              text += chunk;
            });
            response.on('end', () =>
              resolve({ status: response.statusCode!, headers: response.headers, body: text }),
            );
          },
        );
        request.on('error', reject);
        request.end(body);
      },
    );

  it('serves pages with Secure cookies and HSTS', async () => {
    const config = loadConfig({ STATION_HOME: path.join(folder.path, 'tls-home') });
    const station = await openStation({
      config: { ...config, http: { ...config.http, tls: { certFile, keyFile } } },
      logger: silentLogger,
    });
    await addUser(station.db, { name: 'clerk', role: 'clerk', password: 'clerk passphrase' }, new Date());
    const app = await buildDashboard(station);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    try {
      const form = await get(port, '/login');
      expect(form.status).toBe(200);
      expect(form.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      const csrfCookie = (form.headers['set-cookie'] as string[])[0];
      expect(csrfCookie).toMatch(/;\s*Secure/i);
      const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
      const login = await get(
        port,
        '/login',
        { cookie: csrfCookie.split(';')[0], 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ name: 'clerk', password: 'clerk passphrase', _csrf: token }).toString(),
      );
      expect(login.status).toBe(303);
      const session = (login.headers['set-cookie'] as string[]).find((cookie) =>
        cookie.startsWith('station_session='),
      );
      expect(session).toMatch(/;\s*Secure/i);
      expect(session).toMatch(/HttpOnly/i);
    } finally {
      await app.close();
      station.close();
    }
  });

  it('refuses to start with a certificate or key it cannot use, naming the setting', async () => {
    const configFile = path.join(folder.path, 'bad-tls.json');
    writeFileSync(
      configFile,
      JSON.stringify({ http: { tls: { certFile: path.join(folder.path, 'none.pem'), keyFile } } }),
    );
    const missing = await runStation(['users', 'list'], {
      home: path.join(folder.path, 'tls-bad'),
      env: { STATION_CONFIG: configFile },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('http.tls.certFile');
    writeFileSync(configFile, JSON.stringify({ http: { tls: { certFile: keyFile, keyFile: certFile } } }));
    const swapped = await runStation(['users', 'list'], {
      home: path.join(folder.path, 'tls-bad'),
      env: { STATION_CONFIG: configFile },
    });
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toContain('http.tls');
  });
});
