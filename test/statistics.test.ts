import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeMonthlyReport } from '../src/compliance/monthly-report.ts';
import { lateExportsOf, monthlyStatistics } from '../src/compliance/statistics.ts';
import {
  archivedRecording,
  type ComplianceStation,
  confirmRow,
  openTestStation,
  recordGap,
  shanghai,
  zone,
} from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

async function octoberLedger() {
  test = await openTestStation(shanghai('2026-11-05 09:00'));
  const { station } = test;
  // Officer 010001: three recordings on two days, one docked late, one damaged; one confirmed.
  const a = await archivedRecording(station, { badge: '010001', recordedAt: shanghai('2026-10-01 08:00') });
  const b = await archivedRecording(station, {
    badge: '010001',
    recordedAt: shanghai('2026-10-01 10:00'),
    late: true,
    ingestedAt: shanghai('2026-10-03 09:00'),
  });
  await archivedRecording(station, { badge: '010001', recordedAt: shanghai('2026-10-31 23:30') });
  station.db.prepare("UPDATE recordings SET playback = 'damaged' WHERE id = ?").run(b.id);
  confirmRow(station, a.id);
  // Officer 010002: one recording on 1 November (Shanghai), which is still 31 October in UTC.
  await archivedRecording(station, { badge: '010002', recordedAt: shanghai('2026-11-01 07:00') });
  // And one in October, with an interruption.
  const c = await archivedRecording(station, { badge: '010002', recordedAt: shanghai('2026-10-20 09:00') });
  const d = await archivedRecording(station, { badge: '010002', recordedAt: shanghai('2026-10-20 09:30') });
  recordGap(station, { before: c, after: d, badge: '010002', detectedAt: shanghai('2026-10-20 18:00') });
  return { station, b };
}

describe('monthly statistics', () => {
  it('count per officer by the Shanghai date of recording', async () => {
    const { station } = await octoberLedger();
    const october = monthlyStatistics(station.db, zone, '2026-10');
    expect(october.officers).toEqual([
      {
        badge: '010001',
        officerName: '警员010001',
        recordings: 3,
        hours: 0.05,
        lateExports: 1,
        interruptions: 0,
        spokenReasons: 0,
        silentResumptions: 0,
        damagedRecordings: 1,
        unconfirmedRows: 2,
        recordingDays: 2,
        dockingDays: 3,
        onTimePercent: 66.7,
      },
      {
        badge: '010002',
        officerName: '警员010002',
        recordings: 2,
        hours: 0.03,
        lateExports: 0,
        interruptions: 1,
        spokenReasons: 0,
        silentResumptions: 0,
        damagedRecordings: 0,
        unconfirmedRows: 2,
        recordingDays: 1,
        dockingDays: 1,
        onTimePercent: 100,
      },
    ]);
    expect(october.totals).toMatchObject({
      recordings: 5,
      lateExports: 1,
      interruptions: 1,
      onTimePercent: 80,
    });
    expect(
      monthlyStatistics(station.db, zone, '2026-11').officers.map((officer) => [
        officer.badge,
        officer.recordings,
      ]),
    ).toEqual([['010002', 1]]);
  });

  it('list each late export with how long after recording it came', async () => {
    const { station, b } = await octoberLedger();
    expect(lateExportsOf(station.db, '2026-10')).toEqual([
      expect.objectContaining({ id: b.id, badge: '010001', hoursLate: 47 }),
    ]);
  });

  it('are filed as an XLSX workbook with a summary and the late exports', async () => {
    const { station } = await octoberLedger();
    const file = path.join(test.home, 'report-2026-10.xlsx');
    await writeMonthlyReport(
      file,
      {
        statistics: monthlyStatistics(station.db, zone, '2026-10'),
        lateExports: lateExportsOf(station.db, '2026-10'),
        stationName: station.config.station.name,
      },
      'zh-CN',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const summary = workbook.getWorksheet('2026-10')!;
    expect(summary.getCell('A1').value).toBe('执法音像记录月度统计 2026-10');
    expect(summary.getRow(4).values).toEqual(expect.arrayContaining(['执法证号', '记录数', '超24小时导出']));
    expect(summary.getRow(5).getCell(1).value).toBe('010001');
    expect(summary.getRow(5).getCell(3).value).toBe(3);
    expect(summary.getRow(7).getCell(1).value).toBe('合计');
    expect(summary.getRow(7).getCell(3).value).toBe(5);
    const late = workbook.getWorksheet('超时导出明细')!;
    expect(late.rowCount).toBe(2);
  });
});
