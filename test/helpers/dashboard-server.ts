import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { roles } from '../../src/auth/roles.ts';
import { addUser } from '../../src/auth/users.ts';
import { loadConfig, type StationConfig } from '../../src/config/config.ts';
import { buildDashboard, type DashboardOptions } from '../../src/dashboard/app.ts';
import { dockFolder } from '../../src/dock/dock-session.ts';
import { makeSampleRecorder } from '../../src/footage/generate.ts';
import { saveOfficer } from '../../src/ledger/officers.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import type { Clock } from '../../src/time/clock.ts';
import { temporaryFolder } from './station-cli.ts';

export const officerBadge = '010001';
export const passwordOf = (role: string) => `password-of-${role}`;

export interface DashboardServer {
  station: Station;
  app: FastifyInstance;
  baseUrl: string;
  folder: string;
  close(): Promise<void>;
}

/**
 * A real station in a temporary home with one user per role (named after the role; the officer holds
 * badge 010001) and the dashboard listening on 127.0.0.1 on a free port.
 */
export async function startDashboard(
  options: DashboardOptions = {},
  /** The station's clock, for tests that move time (a grant's end, a clock set back). */
  clock?: Clock,
  /** Settings that differ from the defaults. */
  settings: { dock?: Partial<StationConfig['dock']> } = {},
): Promise<DashboardServer> {
  const folder = await temporaryFolder('dashboard');
  const config = loadConfig({ STATION_HOME: path.join(folder.path, 'home') });
  const station = await openStation({
    config: {
      ...config,
      ingest: { ...config.ingest, copyChunkBytes: 65536 },
      dock: { ...config.dock, ...settings.dock },
    },
    logger: silentLogger,
    clock,
  });
  saveOfficer(station.db, { badge: officerBadge, name: '张三' }, new Date());
  saveOfficer(station.db, { badge: '010002', name: '李四' }, new Date());
  for (const role of roles) {
    await addUser(
      station.db,
      { name: role, role, password: passwordOf(role), badge: role === 'officer' ? officerBadge : null },
      new Date(),
    );
  }
  const app = await buildDashboard(station, options);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    station,
    app,
    baseUrl: address,
    folder: folder.path,
    close: async () => {
      await app.close();
      station.close();
      await folder.remove();
    },
  };
}

/** Ingests a small sample recorder (real ffmpeg footage) the normal way; returns the ingest report. */
export async function ingestSampleRecorder(
  server: DashboardServer,
  options: {
    name: string;
    serial: string;
    badge: string;
    segments?: number;
    start?: Date;
    segmentSeconds?: number;
  },
) {
  const recorder = await makeSampleRecorder(path.join(server.folder, options.name), {
    serial: options.serial,
    badge: options.badge,
    start: options.start ?? new Date(Date.now() - 3600_000),
    segments: options.segments ?? 1,
    segmentSeconds: options.segmentSeconds ?? 1,
    timezone: server.station.config.station.timezone,
    video: { width: 160, height: 120, fps: 10 },
  });
  return {
    recorder,
    report: await dockFolder(server.station, { sourceRoot: recorder.root, origin: 'test' }),
  };
}

/** A logged-in browser-less client: keeps the session cookie and the CSRF token of its pages. */
export class HttpClient {
  private cookies = new Map<string, string>();
  csrfToken = '';

  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keepCookies(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair.split('=');
      const text = value.join('=');
      if (text === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, text);
    }
  }

  async request(
    method: string,
    url: string,
    init: { form?: Record<string, string>; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const response = await fetch(new URL(url, this.baseUrl), {
      method,
      redirect: 'manual',
      signal: init.signal,
      headers: {
        cookie: this.cookieHeader(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      body,
    });
    this.keepCookies(response);
    return response;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', url, { headers });
  }

  /** Posts a form with this session's CSRF token, as the dashboard's own forms do. */
  post(url: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', url, { form: { _csrf: this.csrfToken, ...form } });
  }

  async login(name: string, password: string): Promise<Response> {
    const form = await (await this.get('/login')).text();
    const loginToken = /name="_csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const response = await this.request('POST', '/login', { form: { name, password, _csrf: loginToken } });
    if (response.status === 303) {
      const page = await (await this.get('/docks')).text();
      this.csrfToken = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    }
    return response;
  }
}

export async function loggedIn(server: DashboardServer, role: string): Promise<HttpClient> {
  const client = new HttpClient(server.baseUrl);
  const response = await client.login(role, passwordOf(role));
  if (response.status !== 303) throw new Error(`login as ${role} failed: ${response.status}`);
  return client;
}
