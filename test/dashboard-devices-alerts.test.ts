import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAssignments } from '../src/ledger/devices.ts';
import {
  type DashboardServer,
  type HttpClient,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';

let server: DashboardServer;
let ops: HttpClient;

interface AlertJson {
  kind: string;
  severity: string;
  subject: string;
  detail: Record<string, unknown>;
  message: string;
  actBy: string[];
  since: string | null;
}

const alerts = async (client: HttpClient) =>
  ((await (await client.get('/api/alerts')).json()) as { alerts: AlertJson[] }).alerts;

beforeAll(async () => {
  server = await startDashboard();
  await ingestSampleRecorder(server, { name: 'dev', serial: 'D000001', badge: officerBadge });
  ops = await loggedIn(server, 'ops');
});

afterAll(async () => {
  await server?.close();
});

describe('devices and alerts', () => {
  it('assigns a device to an officer from a form in the station zone, and logs who did it', async () => {
    const response = await ops.post('/devices/assign', {
      serial: 'D000001',
      badge: '010002',
      from: '2026-11-20T08:00',
    });
    expect(response.status).toBe(303);
    expect(listAssignments(server.station.db, 'D000001')).toEqual([
      expect.objectContaining({ badge: '010002', validFrom: '2026-11-20T00:00:00.000Z', validTo: null }),
    ]);
    const page = await (await ops.get('/devices')).text();
    expect(page).toContain('2026-11-20 08:00:00');
    const entry = server.station.db
      .prepare("SELECT actor FROM audit_log WHERE action = 'assign-device'")
      .pluck()
      .get();
    expect(entry).toBe('ops');
  });

  it('takes fault reports from officers and shows them to ops as open faults and alerts', async () => {
    const officer = await loggedIn(server, 'officer');
    expect(
      (await officer.post('/devices/faults', { serial: 'D000001', description: '电池无法充电' })).status,
    ).toBe(303);
    const devices = (await (await ops.get('/api/devices')).json()) as {
      devices: { serial: string; openFaults: number; holderBadge: string | null }[];
    };
    expect(devices.devices).toContainEqual(expect.objectContaining({ serial: 'D000001', openFaults: 1 }));
    expect(await alerts(ops)).toContainEqual(
      expect.objectContaining({ kind: 'device-fault', subject: 'D000001' }),
    );
  });

  it('lets ops mark a fault resolved, which ends its alert', async () => {
    const id = server.station.db.prepare('SELECT id FROM device_faults').pluck().get() as number;
    expect((await ops.post(`/devices/faults/${id}/resolve`)).status).toBe(303);
    expect(await alerts(ops)).not.toContainEqual(expect.objectContaining({ kind: 'device-fault' }));
    expect(await (await ops.get('/devices')).text()).not.toContain(`/devices/faults/${id}/resolve`);
  });

  it('raises devices not docked for a day, low recorder storage, bad playback and unexplained gaps', async () => {
    const { db } = server.station;
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000).toISOString();
    db.prepare(
      "INSERT INTO devices (serial, first_seen_at, last_seen_at, free_bytes, total_bytes) VALUES ('D000009', ?, ?, 1, 100)",
    ).run(twoDaysAgo, twoDaysAgo);
    const [first, second] = db
      .prepare('SELECT id FROM recordings ORDER BY id LIMIT 2')
      .pluck()
      .all() as number[];
    db.prepare("UPDATE recordings SET playback = 'damaged' WHERE id = ?").run(first);
    db.prepare(
      `INSERT INTO interruptions (device_id, before_recording_id, after_recording_id, gap_start, gap_end, gap_seconds,
         badge, detected_at) VALUES (1, ?, ?, '2026-11-26T01:00:00Z', '2026-11-26T01:10:00Z', 600, ?, ?)`,
    ).run(first, second, officerBadge, new Date().toISOString());
    const kinds = (await alerts(ops)).map((alert) => `${alert.kind} ${alert.subject}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['not-docked D000009', 'device-storage D000009', `unplayable #${first}`]),
    );
    // The gap on the station's wall clock (Asia/Shanghai), as the interruptions page shows it, and
    // machine times with the station's offset.
    const gap = (await alerts(ops)).find((alert) => alert.kind === 'interruption');
    expect(gap).toMatchObject({
      detail: {
        badge: officerBadge,
        officerName: '张三',
        deviceSerial: 'D000001',
        gapStart: '2026-11-26T09:00:00+08:00',
      },
      message: '2026-11-26 09:00:00 至 2026-11-26 09:10:00 中断 00:10:00，请执法人员填写中断说明',
    });
    expect(gap?.since).toMatch(/\+08:00$/);
    const page = await (await ops.get('/alerts?all=true')).text();
    expect(page).toContain('href="/interruptions#interruption-');
    expect(page).toContain('data-kind="not-docked"');
    expect(page).toContain('请执法人员填写中断说明');
    // Ops sees by default what ops acts on: not the clerk's late exports, yes the recorder storage.
    const mine = await (await ops.get('/alerts')).text();
    expect(mine).toContain('data-kind="device-storage"');
    expect(mine).not.toContain('data-kind="interruption"');
  });

  it('answers the docks API with each dock and whether its recorder may be undocked', async () => {
    const body = (await (await ops.get('/api/docks')).json()) as {
      docks: { id: number; state: string; safeToUndock: boolean; deviceSerial: string }[];
    };
    expect(body.docks).toContainEqual(
      expect.objectContaining({ state: 'done', safeToUndock: true, deviceSerial: 'D000001' }),
    );
    const detail = (await (await ops.get(`/api/docks/${body.docks[0].id}`)).json()) as { files: unknown[] };
    expect(detail.files.length).toBeGreaterThan(0);
    expect((await ops.get('/api/docks/9999')).status).toBe(404);
  });
});
