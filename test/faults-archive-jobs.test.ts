import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DiskFullError } from '../src/archive/copy-file.ts';
import { stationAlerts } from '../src/compliance/alerts.ts';
import { approveDeletion, proposeDeletion, purgeDeletions } from '../src/compliance/deletion.ts';
import { retentionSettings } from '../src/compliance/retention.ts';
import { createAccessRequest, decideAccessRequest } from '../src/custody/access-requests.ts';
import { exportEvidence } from '../src/custody/evidence-export.ts';
import { openFixityFailures, runFixitySlice } from '../src/custody/fixity-job.ts';
import type { Station } from '../src/station.ts';
import { openTestStation, useIngestedHomes } from './helpers/custody-fixtures.ts';
import { hashTree } from './helpers/fault-station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

// The fault matrix's cells for the archive jobs (evidence export, retention purge, nightly fixity):
// the archive or the export target full or read-only, on real tmpfs mounts. Each cell checks that the
// job ends with a named error or a recorded problem, nothing half-done looks done, the archived
// originals are unchanged, and an alert is up where someone must act.

const run = promisify(execFile);
const homes = useIngestedHomes();

async function mountTmpfs(folder: string, kilobytes: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', folder]);
  homes.later(async () => {
    await run('umount', [folder]).catch(() => {});
  });
}

const remount = (folder: string, mode: 'ro' | 'rw') => run('mount', ['-o', `remount,${mode}`, folder]);

/** Fills a file system to the last block, so the next write fails ENOSPC. */
const fill = (folder: string) =>
  run('dd', ['if=/dev/zero', `of=${path.join(folder, 'filler')}`, 'bs=4k', 'status=none']).catch(() => {});

/** A station whose archive is its own tmpfs, holding the ingested fixture's files as they were. */
async function stationOnTmpfsArchive(): Promise<Station> {
  const home = await homes.fresh();
  const archive = path.join(home, 'archive');
  await rename(archive, `${archive}.disk`);
  await mountTmpfs(archive, 8192);
  await run('cp', ['-a', `${archive}.disk/.`, archive]);
  await rm(`${archive}.disk`, { recursive: true });
  const station = await openTestStation(home);
  homes.later(async () => station.close());
  return station;
}

const originals = (station: Station) =>
  hashTree(station.archive.root).then((tree) => {
    delete tree.filler;
    return tree;
  });

function approvedCopyRequest(station: Station): number {
  const request = createAccessRequest(
    station.db,
    { user: 'auditor', purpose: '行政诉讼', mode: 'copy', recordingIds: [1, 3] },
    new Date(),
  );
  decideAccessRequest(station.db, request.id, { by: 'leader', approve: true }, new Date());
  return request.id;
}

const exportEntries = (station: Station) =>
  station.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'export'").pluck().get() as number;

describe('evidence export with a faulty target disk', () => {
  it('full: fails with DiskFullError, leaves no package and no export on the record', async () => {
    const station = await stationOnTmpfsArchive();
    const target = path.join((await temporaryFolder('export-full')).path, 'disk');
    await mountTmpfs(target, 64);
    await fill(target);
    const before = await originals(station);
    const out = path.join(target, 'evidence');
    await expect(
      exportEvidence(station, { requestId: approvedCopyRequest(station), outDir: out }, new Date()),
    ).rejects.toBeInstanceOf(DiskFullError);
    expect(await readdir(target)).toEqual(['filler']);
    expect(exportEntries(station)).toBe(0);
    expect(await originals(station)).toEqual(before);
  });

  it('read-only: fails with EROFS before writing anything', async () => {
    const station = await stationOnTmpfsArchive();
    const target = path.join((await temporaryFolder('export-ro')).path, 'disk');
    await mountTmpfs(target, 1024);
    await remount(target, 'ro');
    const before = await originals(station);
    await expect(
      exportEvidence(
        station,
        { requestId: approvedCopyRequest(station), outDir: path.join(target, 'evidence') },
        new Date(),
      ),
    ).rejects.toMatchObject({ code: 'EROFS' });
    expect(await readdir(target)).toEqual([]);
    expect(exportEntries(station)).toBe(0);
    expect(await originals(station)).toEqual(before);
  });
});

describe('retention purge with a read-only archive', () => {
  it('keeps the file and its pending removal, and removes it on the first purge after the remount', async () => {
    const station = await stationOnTmpfsArchive();
    const context = {
      db: station.db,
      archive: station.archive,
      retention: retentionSettings(station.config),
      graceDays: 0,
    };
    // Past the retention period of everything in the fixture.
    const later = new Date(Date.now() + 4 * 365 * 24 * 3600_000);
    const archivePath = station.db
      .prepare('SELECT archive_path FROM recordings WHERE id = 2')
      .pluck()
      .get() as string;
    proposeDeletion(context, { recordingId: 2, by: 'ops' }, later);
    approveDeletion(context, { recordingId: 2, by: 'leader' }, later);
    const before = await originals(station);
    await remount(station.archive.root, 'ro');
    const afterGrace = new Date(later.getTime() + 3600_000);
    await expect(purgeDeletions(context, afterGrace)).rejects.toMatchObject({ code: 'EROFS' });
    // The ledger no longer claims the file, and says its removal is still owed: nothing looks done.
    const pending = () =>
      station.db
        .prepare('SELECT state, file_removed_at AS removedAt FROM deletion_proposals WHERE recording_id = 2')
        .get();
    expect(pending()).toEqual({ state: 'deleted', removedAt: null });
    expect(await originals(station)).toEqual(before);
    await remount(station.archive.root, 'rw');
    await purgeDeletions(context, afterGrace);
    expect(pending()).toMatchObject({ state: 'deleted', removedAt: afterGrace.toISOString() });
    const left = await originals(station);
    expect(Object.keys(left)).not.toContain(archivePath);
    delete before[archivePath];
    expect(left).toEqual(before);
  });
});

describe('the nightly fixity job with a faulty archive', () => {
  const everything = { gigabytesPerNight: 1, periodDays: 30 };
  const deps = (station: Station) => ({
    db: station.db,
    archive: station.archive,
    config: { fixity: everything },
    workers: 1,
  });

  it('full: still checks every file, and the low-disk alert asks ops to act', async () => {
    const station = await stationOnTmpfsArchive();
    const before = await originals(station);
    await fill(station.archive.root);
    const report = await runFixitySlice(deps(station), new Date());
    expect(report).toMatchObject({ checked: 3, problems: [] });
    const alerts = await stationAlerts(station, new Date());
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'low-disk', severity: 'critical' }));
    expect(await originals(station)).toEqual(before);
  });

  it('read-only: reading needs no write, so every file checks out', async () => {
    const station = await stationOnTmpfsArchive();
    const before = await originals(station);
    await remount(station.archive.root, 'ro');
    const report = await runFixitySlice(deps(station), new Date());
    expect(report).toMatchObject({ checked: 3, problems: [] });
    await remount(station.archive.root, 'rw');
    expect(await originals(station)).toEqual(before);
  });

  it('failing (the archive disk gone): records every file as a problem and raises the fixity alert', async () => {
    const station = await stationOnTmpfsArchive();
    const before = await originals(station);
    // Detached lazily: the station's path now shows the empty folder beneath, as after a disk dropout.
    await run('umount', ['-l', station.archive.root]);
    const report = await runFixitySlice(deps(station), new Date());
    expect(report.checked).toBe(3);
    expect(report.problems.map((problem) => problem.problem)).toEqual(['missing', 'missing', 'missing']);
    expect(openFixityFailures(station.db)).toHaveLength(3);
    const alerts = await stationAlerts(station, new Date());
    expect(alerts.filter((alert) => alert.kind === 'fixity').length).toBeGreaterThan(0);
    expect(Object.keys(before)).toHaveLength(3);
  });
});
