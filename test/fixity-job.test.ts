import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditTrail } from '../src/custody/audit-log.ts';
import { fixityCycle, openFixityFailures, runFixitySlice } from '../src/custody/fixity-job.ts';
import type { Station } from '../src/station.ts';
import { openTestStation, useIngestedHomes } from './helpers/custody-fixtures.ts';

const homes = useIngestedHomes();

async function freshStation(): Promise<Station> {
  const station = await openTestStation(await homes.fresh());
  homes.later(async () => station.close());
  return station;
}

// One byte a night: every run checks exactly one file (a run always checks at least one).
const oneFileANight = { gigabytesPerNight: 1 / 1024 ** 3, periodDays: 1000 };
const night = (day: number) => new Date(Date.UTC(2026, 10, day, 18, 30));

function deps(station: Station, fixity = oneFileANight) {
  return { db: station.db, archive: station.archive, config: { fixity }, workers: 1 };
}

describe('the nightly fixity job', () => {
  it('re-reads a slice each night, resumes where it stopped and starts over after the last file', async () => {
    const station = await freshStation();
    const first = await runFixitySlice(deps(station), night(1));
    expect(first).toMatchObject({ fromRecordingId: 1, toRecordingId: 1, checked: 1, cycleCompleted: false });
    expect(fixityCycle(station.db)?.lastRecordingId).toBe(1);
    const second = await runFixitySlice(deps(station), night(2));
    expect(second).toMatchObject({ fromRecordingId: 2, toRecordingId: 2, cycleCompleted: false });
    const third = await runFixitySlice(deps(station), night(3));
    expect(third).toMatchObject({ fromRecordingId: 3, toRecordingId: 3, cycleCompleted: true });
    expect(fixityCycle(station.db)).toMatchObject({
      lastRecordingId: 0,
      lastCycleCompletedAt: night(3).toISOString(),
    });
    const fourth = await runFixitySlice(deps(station), night(4));
    expect(fourth).toMatchObject({ fromRecordingId: 1, problems: [] });
  });

  it('keeps its place across a restart of the station', async () => {
    const station = await freshStation();
    await runFixitySlice(deps(station), night(1));
    const home = station.config.home;
    station.close();
    const reopened = await openTestStation(home);
    homes.later(async () => reopened.close());
    const next = await runFixitySlice(deps(reopened), night(2));
    expect(next.fromRecordingId).toBe(2);
  });

  it('reads more than the nightly amount when that is what covers the archive within the period', async () => {
    const station = await freshStation();
    const report = await runFixitySlice(
      deps(station, { gigabytesPerNight: 1 / 1024 ** 3, periodDays: 1 }),
      night(1),
    );
    expect(report).toMatchObject({ checked: 3, cycleCompleted: true });
    expect(report.budgetBytes).toBe(report.bytes);
  });

  it('raises a changed file once as an open failure and an audit entry', async () => {
    const station = await freshStation();
    const recording = station.db
      .prepare('SELECT archive_path FROM recordings WHERE id = 2')
      .pluck()
      .get() as string;
    const file = path.join(station.archive.root, recording);
    await chmod(file, 0o644);
    await writeFile(file, 'changed');
    const everything = { gigabytesPerNight: 1, periodDays: 30 };
    const report = await runFixitySlice(deps(station, everything), night(1));
    expect(report.problems).toEqual([expect.objectContaining({ recordingId: 2, problem: 'changed' })]);
    await runFixitySlice(deps(station, everything), night(2));
    expect(openFixityFailures(station.db)).toEqual([
      expect.objectContaining({ recordingId: 2, problem: 'changed', detectedAt: night(1).toISOString() }),
    ]);
    expect(
      auditTrail(station.db, 'recording', 2).filter((entry) => entry.action === 'fixity-failure'),
    ).toHaveLength(1);
  });
});
