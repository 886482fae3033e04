import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { type DockReport, dockFolder } from '../src/dock/dock-session.ts';
import { detectInterruptions } from '../src/dock/interruptions.ts';
import { makeSampleRecorder } from '../src/footage/generate.ts';
import { findDevice } from '../src/ledger/devices.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation, type Station } from '../src/station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

describe('interruptions between segments of one recorder (art. 18)', () => {
  let folder: { path: string; remove(): Promise<void> };
  let station: Station;
  let report: DockReport;

  beforeAll(async () => {
    folder = await temporaryFolder('gaps');
    station = await openStation({
      config: loadConfig({ STATION_HOME: path.join(folder.path, 'home') }),
      logger: silentLogger,
    });
    // Segments of 2 s: back to back, then 5 minutes off, then three hours off (the next activity).
    const recorder = await makeSampleRecorder(path.join(folder.path, 'recorder'), {
      serial: 'G000001',
      badge: '010001',
      start: new Date(Date.now() - 6 * 3600_000),
      segments: 4,
      segmentSeconds: 2,
      gapSeconds: [0, 300, 3 * 3600],
      timezone: 'Asia/Shanghai',
      video: { width: 160, height: 120, fps: 10 },
    });
    report = await dockFolder(station, { sourceRoot: recorder.root, origin: 'test' });
  });
  afterAll(async () => {
    station.close();
    await folder.remove();
  });

  it('raises a gap longer than the threshold but shorter than an activity break, once', () => {
    const deviceId = findDevice(station.db, 'G000001')!.id;
    const dock = { dockId: report.dockId, deviceId, thresholdSeconds: 120, activityBreakSeconds: 7200 };
    const found = detectInterruptions(station.db, dock, new Date());
    expect(found.map((gap) => Math.round(gap.gapSeconds))).toEqual([300]);
    expect(detectInterruptions(station.db, dock, new Date())).toEqual([]);
  });

  it('raises nothing below the threshold', () => {
    const deviceId = findDevice(station.db, 'G000001')!.id;
    const dock = { dockId: report.dockId, deviceId, thresholdSeconds: 600, activityBreakSeconds: 7200 };
    expect(detectInterruptions(station.db, dock, new Date())).toEqual([]);
  });
});
