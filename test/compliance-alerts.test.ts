import { afterEach, describe, expect, it } from 'vitest';
import { tagActivity } from '../src/compliance/activity-tags.ts';
import { collectAlerts } from '../src/compliance/alerts.ts';
import { explainInterruption } from '../src/compliance/interruptions.ts';
import { storageForecast } from '../src/compliance/storage-forecast.ts';
import { assignDevice, ensureDevice, recordDeviceSighting } from '../src/ledger/devices.ts';
import { saveOfficer } from '../src/ledger/officers.ts';
import {
  archivedRecording,
  type ComplianceStation,
  openTestStation,
  recordGap,
  shanghai,
} from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

const plentyFree = 1e15;
const alertsNow = (freeBytes = plentyFree) =>
  collectAlerts({ db: test.station.db, config: test.station.config, now: test.clock.now(), freeBytes });
const ofKind = (kind: string, freeBytes = plentyFree) =>
  alertsNow(freeBytes).filter((alert) => alert.kind === kind);

describe('compliance alerts', () => {
  it('forecast the days until the archive disk is full from the recent ingest rate', async () => {
    test = await openTestStation(shanghai('2026-11-20 09:00'));
    const { station } = test;
    expect(
      storageForecast(station.db, { freeBytes: 10_000, reserveBytes: 0, rateDays: 14, now: test.clock.now() })
        .daysUntilFull,
    ).toBeNull();
    for (let day = 1; day <= 14; day++) {
      await archivedRecording(station, {
        recordedAt: shanghai(`2026-11-${String(day + 5).padStart(2, '0')} 08:00`),
        ingestedAt: shanghai(`2026-11-${String(day + 5).padStart(2, '0')} 09:00`),
        sizeBytes: 990,
      });
    }
    const perDay = storageForecast(station.db, {
      freeBytes: 0,
      reserveBytes: 0,
      rateDays: 14,
      now: test.clock.now(),
    }).bytesPerDay;
    const reserve = station.config.archive.minFreeBytes;
    expect(ofKind('storage-forecast', reserve + perDay * 40)).toEqual([]);
    expect(ofKind('storage-forecast', reserve + perDay * 20)[0]).toMatchObject({
      severity: 'warning',
      detail: { daysUntilFull: 20 },
    });
    expect(ofKind('storage-forecast', reserve + perDay * 5)[0]).toMatchObject({ severity: 'critical' });
  });

  it('raise an assigned recorder that has not docked for more than 24 hours', async () => {
    test = await openTestStation(shanghai('2026-11-20 09:00'));
    const { station } = test;
    saveOfficer(station.db, { badge: '010001', name: '张三' }, test.clock.now());
    saveOfficer(station.db, { badge: '010002', name: '李四' }, test.clock.now());
    assignDevice(
      station.db,
      { serial: 'A000001', badge: '010001', from: shanghai('2026-11-01 08:00'), to: null },
      test.clock.now(),
    );
    assignDevice(
      station.db,
      { serial: 'A000002', badge: '010002', from: shanghai('2026-11-01 08:00'), to: null },
      test.clock.now(),
    );
    // A pooled recorder whose assignment ended is nobody's to dock.
    assignDevice(
      station.db,
      {
        serial: 'A000003',
        badge: '010002',
        from: shanghai('2026-11-01 08:00'),
        to: shanghai('2026-11-02 08:00'),
      },
      test.clock.now(),
    );
    recordDeviceSighting(station.db, ensureDevice(station.db, { serial: 'A000001' }, test.clock.now()).id, {
      at: shanghai('2026-11-19 08:30'),
    });
    recordDeviceSighting(station.db, ensureDevice(station.db, { serial: 'A000002' }, test.clock.now()).id, {
      at: shanghai('2026-11-19 09:30'),
    });
    expect(
      ofKind('not-docked').map((alert) => [alert.subject, alert.detail.badge, alert.detail.hours]),
    ).toEqual([['A000001', '010001', 24]]);
  });

  it('list every unexplained interruption, a warning after the configured time and critical at once in an art. 20 activity', async () => {
    test = await openTestStation(shanghai('2026-11-20 09:00'));
    const { station } = test;
    const [a, b, c, d] = [
      await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:00') }),
      await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:10') }),
      await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:20') }),
      await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:30') }),
    ];
    const plain = recordGap(station, { before: a, after: b, badge: '010001', detectedAt: test.clock.now() });
    const seizure = recordGap(station, {
      before: c,
      after: d,
      badge: '010001',
      detectedAt: test.clock.now(),
    });
    tagActivity(station.db, { recordingId: d.id, kind: 'seizure', by: 'clerk1' }, test.clock.now());
    expect(ofKind('interruption').map((alert) => [alert.detail.id, alert.severity])).toEqual([
      [plain, 'info'],
      [seizure, 'critical'],
    ]);
    test.clock.advance(48 * 3600_000);
    expect(ofKind('interruption').map((alert) => [alert.detail.id, alert.severity])).toEqual([
      [plain, 'warning'],
      [seizure, 'critical'],
    ]);
    explainInterruption(
      station.db,
      { id: plain, explanation: '电池耗尽，更换后继续录制', by: '010001' },
      test.clock.now(),
    );
    expect(ofKind('interruption').map((alert) => alert.detail.id)).toEqual([seizure]);
  });

  it('roll late exports up per officer for the current month', async () => {
    test = await openTestStation(shanghai('2026-11-20 09:00'));
    const { station } = test;
    await archivedRecording(station, {
      badge: '010001',
      recordedAt: shanghai('2026-11-02 08:00'),
      late: true,
    });
    await archivedRecording(station, {
      badge: '010001',
      recordedAt: shanghai('2026-11-03 08:00'),
      late: true,
    });
    await archivedRecording(station, { badge: '010002', recordedAt: shanghai('2026-11-03 08:00') });
    await archivedRecording(station, {
      badge: '010003',
      recordedAt: shanghai('2026-10-03 08:00'),
      late: true,
    });
    expect(
      ofKind('late-exports').map((alert) => [alert.subject, alert.detail.lateExports, alert.detail.month]),
    ).toEqual([['010001', 2, '2026-11']]);
  });

  it('report recordings due for review and those expiring within the window', async () => {
    test = await openTestStation(shanghai('2026-11-20 09:00'));
    const { station } = test;
    const due = await archivedRecording(station, { recordedAt: shanghai('2026-05-01 08:00') });
    const expiring = await archivedRecording(station, { recordedAt: shanghai('2026-06-10 08:00') });
    expect(ofKind('retention-due')[0].detail).toMatchObject({ count: 1, ids: [due.id] });
    expect(ofKind('retention-expiring')[0].detail).toMatchObject({
      count: 1,
      ids: [expiring.id],
      firstEnd: '2026-12-10',
    });
  });
});
