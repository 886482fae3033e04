import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByName, setUserDisabled } from '../src/auth/users.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
beforeAll(async () => {
  server = await startDashboard({ streamKeepAliveMs: 300 });
});
afterAll(async () => {
  await server?.close();
});

interface OpenStream {
  events: { name: string; data: Record<string, unknown> }[];
  /** Resolves when the server closes the stream. */
  ended: Promise<void>;
  stop(): void;
}

/** Reads /docks/events as a browser's EventSource would, collecting every event. */
async function openStream(client: HttpClient): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await client.request('GET', '/docks/events', { signal: controller.signal });
  expect(response.status).toBe(200);
  const events: OpenStream['events'] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (name && data) events.push({ name, data: JSON.parse(data) });
          boundary = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by stop()
    }
  })();
  return { events, ended, stop: () => controller.abort() };
}

const dockIds = (stream: OpenStream) =>
  new Set(stream.events.map((event) => event.data.dockId).filter(Boolean));
const fileNames = (stream: OpenStream) =>
  stream.events.filter((event) => event.name.startsWith('file.')).map((event) => event.data.sourcePath);

describe('the live dock stream and dock lists', () => {
  let own: Awaited<ReturnType<typeof ingestSampleRecorder>>;
  let other: Awaited<ReturnType<typeof ingestSampleRecorder>>;
  const streams: Record<string, OpenStream> = {};
  const clients: Record<string, HttpClient> = {};

  beforeAll(async () => {
    for (const role of ['officer', 'clerk', 'admin', 'leader']) {
      clients[role] = await loggedIn(server, role);
      streams[role] = await openStream(clients[role]);
    }
    own = await ingestSampleRecorder(server, {
      name: 'own',
      serial: 'S0001',
      badge: officerBadge,
      segments: 2,
    });
    other = await ingestSampleRecorder(server, {
      name: 'other',
      serial: 'S0002',
      badge: '010002',
      segments: 2,
    });
    // Let the last events reach the readers.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  afterAll(() => {
    for (const stream of Object.values(streams)) stream.stop();
  });

  it('give an officer only the events of their own docks', () => {
    const officer = streams.officer;
    expect(dockIds(officer).has(own.report.dockId)).toBe(true);
    expect(dockIds(officer).has(other.report.dockId)).toBe(false);
    const otherNames = other.report.recordings.map((recording) => recording.sourcePath);
    expect(fileNames(officer).some((name) => otherNames.includes(String(name)))).toBe(false);
    const otherIds = other.report.recordings.map((recording) => recording.id);
    expect(officer.events.some((event) => otherIds.includes(Number(event.data.recordingId)))).toBe(false);
  });

  it('give the administrator dock states but no file names or recording ids', () => {
    const admin = streams.admin;
    expect(admin.events.some((event) => event.name === 'dock.state')).toBe(true);
    expect(
      admin.events.filter((event) => event.name.startsWith('file.') || event.name === 'recording.checked'),
    ).toEqual([]);
  });

  it('give the clerk every dock and file', () => {
    expect(dockIds(streams.clerk)).toEqual(new Set([own.report.dockId, other.report.dockId]));
    expect(fileNames(streams.clerk).length).toBeGreaterThan(0);
  });

  it('filter dock pages, cards and the API alike', async () => {
    const officer = clients.officer;
    const docksPage = await (await officer.get('/docks')).text();
    expect(docksPage).toContain(`data-dock="${own.report.dockId}"`);
    expect(docksPage).not.toContain(`data-dock="${other.report.dockId}"`);
    expect((await officer.get(`/docks/${other.report.dockId}/card`)).status).toBe(404);
    expect((await officer.get(`/api/docks/${other.report.dockId}`)).status).toBe(404);
    const list = (await (await officer.get('/api/docks')).json()) as { docks: { id: number }[] };
    expect(list.docks.map((dock) => dock.id)).toEqual([own.report.dockId]);

    const admin = clients.admin;
    const card = await (await admin.get(`/docks/${own.report.dockId}/card`)).text();
    expect(card).not.toContain('data-file=');
    const detail = (await (await admin.get(`/api/docks/${own.report.dockId}`)).json()) as {
      files: unknown[];
    };
    expect(detail.files).toEqual([]);
  });

  it('ends a stream at logout', async () => {
    const officer = await loggedIn(server, 'officer');
    const stream = await openStream(officer);
    expect((await officer.post('/logout')).status).toBe(303);
    await stream.ended;
  });

  it('ends a stream when the account is disabled, in the dashboard or by another process', async () => {
    const auditor = await loggedIn(server, 'auditor');
    const stream = await openStream(auditor);
    const admin = await loggedIn(server, 'admin');
    const auditorId = findUserByName(server.station.db, 'auditor')!.id;
    expect((await admin.post(`/users/${auditorId}/disabled`, { disabled: 'true' })).status).toBe(303);
    await stream.ended;
    setUserDisabled(server.station.db, auditorId, false);

    // Disabled straight in the database (as a CLI would): found at the next keep-alive.
    const again = await loggedIn(server, 'auditor');
    const second = await openStream(again);
    setUserDisabled(server.station.db, auditorId, true);
    await second.ended;
    setUserDisabled(server.station.db, auditorId, false);
  });
});
