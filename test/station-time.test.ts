import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStamp } from '../src/time/zone.ts';
import {
  type DashboardServer,
  ingestSampleRecorder,
  loggedIn,
  officerBadge,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { runStation } from './helpers/station-cli.ts';

// Time as people and machines read it: the station's wall clock for people, ISO 8601 with the
// station's offset for machines, never UTC's `Z`.

let server: DashboardServer;
const utc = /\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/;
const wallClock = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/;

beforeAll(async () => {
  server = await startDashboard();
  await ingestSampleRecorder(server, { name: 'time', serial: 'T000001', badge: officerBadge });
});

afterAll(async () => {
  await server?.close();
});

describe('station time', () => {
  it('prints the CLI tables in Chinese on the wall clock and their JSON with the offset', async () => {
    const home = server.station.config.home;
    const devices = await runStation(['devices', 'list'], { home });
    expect(devices.stdout).toContain('记录仪编号');
    expect(devices.stdout).toMatch(wallClock);
    expect(devices.stdout).toContain('T000001');
    expect(devices.stdout).not.toMatch(utc);
    const json = await runStation(['devices', 'list', '--json'], { home });
    expect(json.stdout).toMatch(/"lastSeenAt": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00"/);
    expect(json.stdout).not.toMatch(utc);
    const docks = await runStation(['docks'], { home });
    expect(docks.stdout).toContain('最近采集:');
    expect(docks.stdout).toContain('完成');
    expect(docks.stdout).toMatch(wallClock);
    expect((await runStation(['access', 'list'], { home })).stdout).toContain('没有调阅申请');
    expect((await runStation(['docks', '--json'], { home })).stdout).not.toMatch(utc);
  });

  it('answers the API with the station offset', async () => {
    const ops = await loggedIn(server, 'ops');
    const text = await (await ops.get('/api/docks')).text();
    expect(text).toMatch(/"startedAt":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00"/);
    expect(text).not.toMatch(utc);
    expect(await (await ops.get('/api/devices')).text()).not.toMatch(utc);
  });

  it('names files and folders by the local date and time', () => {
    expect(localStamp(new Date('2026-12-01T19:49:38.000Z'), 'Asia/Shanghai')).toBe('20261202-034938');
  });
});
