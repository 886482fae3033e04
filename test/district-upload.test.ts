import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { placeHold } from '../src/compliance/holds.ts';
import { outboxRow } from '../src/district/outbox.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

const services = districtServices();

describe.skipIf(!services)('district upload (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  async function districtStation(stationId = 'ft-dongtiejiangying') {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const station = await openDistrictStation(services!, { stationId, bucket, postgresUrl });
    open.push(station);
    return { station, bucket, postgresUrl };
  }

  it('uploads each original under its station, date and badge, verifies it and writes the district row', async () => {
    const { station, bucket } = await districtStation();
    const ids = await station.ingest(2);
    const report = await station.sync.runOnce();
    expect(report.failed).toEqual([]);
    expect(report.uploaded.sort()).toEqual(ids.sort());
    const recording = findRecording(station.station.db, ids[0])!;
    const row = outboxRow(station.station.db, ids[0])!;
    expect(row.state).toBe('verified');
    expect(row.objectKey).toBe(
      `ft-dongtiejiangying/${recording.date}/010001/${recording.id}-${recording.archivePath!.split('/').at(-1)}`,
    );
    const head = await station.sync.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: row.objectKey!, VersionId: row.versionId! }),
    );
    expect(head.ContentLength).toBe(recording.sizeBytes);
    expect(head.Metadata?.sha256).toBe(recording.sha256);
    expect(decodeURIComponent(head.Metadata!.officer)).toBe('张三');

    const ledger = await runStation(['district', 'ledger', '--station', 'ft-dongtiejiangying', '--json'], {
      home: station.home,
      env: { STATION_CONFIG: station.configFile },
    });
    expect(ledger.code, ledger.stderr).toBe(0);
    const rows = parseJson<{ recordings: Record<string, unknown>[] }>(ledger).recordings;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      stationId: 'ft-dongtiejiangying',
      recordingId: ids[0],
      sha256: recording.sha256,
      objectKey: row.objectKey,
      versionId: row.versionId,
      legalHold: false,
      badge: '010001',
      officerName: '张三',
    });
    expect(rows[0].verifiedAt).toMatch(/\+08:00$/);
    expect(ledger.stderr).not.toMatch(/NodeVersionSupportWarning/);

    const status = await runStation(['district', 'status', '--json'], {
      home: station.home,
      env: { STATION_CONFIG: station.configFile },
    });
    expect(parseJson(status)).toMatchObject({
      stationId: 'ft-dongtiejiangying',
      pending: 0,
      uploading: 0,
      verified: 2,
      failed: 0,
      oldestPendingAt: null,
      anchors: { headId: expect.any(Number) },
    });
  });

  it('locks each copy in COMPLIANCE mode until its retention end and the store refuses to delete it', async () => {
    const { station, bucket } = await districtStation();
    const [id] = await station.ingest(1);
    await station.sync.runOnce();
    const row = outboxRow(station.station.db, id)!;
    const target = { Bucket: bucket, Key: row.objectKey!, VersionId: row.versionId! };
    const retention = await station.sync.s3.send(new GetObjectRetentionCommand(target));
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    // Six months after the Shanghai recording date, to the end of that day.
    const recording = findRecording(station.station.db, id)!;
    const [year, month, day] = recording.date!.split('-').map(Number);
    const end = new Date(Date.UTC(year, month - 1 + 6, day + 1) - 8 * 3_600_000);
    expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(end.toISOString());
    await expect(station.sync.s3.send(new DeleteObjectCommand(target))).rejects.toThrow(/object lock/i);
    const still = await station.sync.s3.send(new HeadObjectCommand(target));
    expect(still.ContentLength).toBe(recording.sizeBytes);
  });

  it('sets a legal hold when a hold is placed, and keeps the retention date', async () => {
    const { station, bucket } = await districtStation();
    const [id] = await station.ingest(1);
    await station.sync.runOnce();
    const before = outboxRow(station.station.db, id)!;
    placeHold(station.station.db, { kind: 'evidence', recordingId: id, by: 'clerk' }, new Date());
    const report = await station.sync.runOnce();
    expect(report.relocked).toEqual([id]);
    const target = { Bucket: bucket, Key: before.objectKey!, VersionId: before.versionId! };
    const hold = await station.sync.s3.send(new GetObjectLegalHoldCommand(target));
    expect(hold.LegalHold?.Status).toBe('ON');
    const retention = await station.sync.s3.send(new GetObjectRetentionCommand(target));
    expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(before.retainUntil);
    const [row] = await station.sync.ledger.ledger({ stationId: 'ft-dongtiejiangying' });
    expect(row.legalHold).toBe(true);
  });

  it('refuses to sync into a bucket without Object Lock, and says so', async () => {
    const bucket = await createBucket(services!, { objectLock: false });
    const postgresUrl = await createDistrictDatabase(services!);
    const station = await openDistrictStation(services!, { stationId: 'ft-nolock', bucket, postgresUrl });
    open.push(station);
    await station.ingest(1);
    const result = await runStation(['district', 'sync'], {
      home: station.home,
      env: { STATION_CONFIG: station.configFile },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/未启用 Object Lock/);
    expect(outboxRow(station.station.db, 1)?.state).toBe('pending');
  });

  it('asks for station district migrate when the district ledger has no tables', async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const station = await openDistrictStation(
      services!,
      { stationId: 'ft-new', bucket, postgresUrl },
      { migrated: false },
    );
    open.push(station);
    const env = { STATION_CONFIG: station.configFile };
    const sync = await runStation(['district', 'sync'], { home: station.home, env });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/station district migrate/);
    const migrated = await runStation(['district', 'migrate'], { home: station.home, env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/已应用表结构 1, 2, 3/);
    const again = await runStation(['district', 'migrate'], { home: station.home, env });
    expect(again.stdout).toMatch(/表结构已是最新/);
    // The administrator then gives the station a login of its own, bound to its own rows.
    const added = await runStation(['district', 'add-station', '--station', 'ft-new', '--json'], {
      home: station.home,
      env,
    });
    expect(added.code, added.stderr).toBe(0);
    const account = parseJson<{ role: string; postgresUrl: string }>(added);
    expect(account.role).toBe('ft-new');
    expect(new URL(account.postgresUrl).username).toBe('ft-new');
  });
});
