import {
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { approveDeletion, proposeDeletion, purgeDeletions } from '../src/compliance/deletion.ts';
import { deletionContext } from '../src/compliance/jobs.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { readLock } from '../src/district/object-lock.ts';
import { joinDistrict, markUploading, outboxCounts, outboxRow } from '../src/district/outbox.ts';
import { localDateIn } from '../src/time/zone.ts';
import { addReviewers } from './helpers/compliance-fixtures.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';

const services = districtServices();
const lockSeconds = 8;

describe.skipIf(!services)('district copies and the deletion review (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  it('deletes a district copy only through the review, and only once the store no longer locks it', async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    // A short lock for copies whose retention already ended, so the store's lock expires in the test.
    const district = await openDistrictStation(
      services!,
      { stationId: 'ft-review', bucket, postgresUrl },
      { expiredRetentionLockMs: lockSeconds * 1000 },
    );
    open.push(district);
    const { station, sync } = district;
    const id = await ingestEightMonthsAgo(district);

    expect((await sync.runOnce()).uploaded).toEqual([id]);
    const row = outboxRow(station.db, id)!;
    const target = { Bucket: bucket, Key: row.objectKey!, VersionId: row.versionId! };
    const lock = await readLock(sync.s3, bucket, row.objectKey!, row.versionId!);
    expect(lock.mode).toBe('COMPLIANCE');
    expect(lock.retainUntil!.getTime()).toBeGreaterThan(Date.now());
    // The store itself refuses to delete a locked version, whoever asks.
    await expect(sync.s3.send(new DeleteObjectCommand(target))).rejects.toThrow(/object lock/i);

    // The station's review: ops proposes, a leader approves, the grace period ends, the purge runs.
    await deleteThroughReview(station, id, '保存期满');

    // Still locked: the sync waits and asks the store for nothing.
    const early = await sync.runOnce();
    expect(early.deleted).toEqual([]);
    expect(early.deletionsWaiting).toEqual([id]);
    expect((await sync.s3.send(new HeadObjectCommand(target))).VersionId).toBe(row.versionId);

    // Once the lock has expired, the next pass deletes that version.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, lock.retainUntil!.getTime() - Date.now()) + 1000),
    );
    const late = await sync.runOnce();
    expect(late.deleted).toEqual([id]);
    await expect(sync.s3.send(new HeadObjectCommand(target))).rejects.toThrow();
    expect(outboxRow(station.db, id)!.districtDeletedAt).not.toBeNull();
    const [districtRow] = await sync.ledger.ledger({ stationId: 'ft-review' });
    expect(districtRow.deletedAt).toMatch(/\+08:00$/);
    expect((await sync.runOnce()).deleted).toEqual([]);

    // Upload, verify and delete are each in the station's audit chain.
    const trail = auditTrail(station.db, 'recording', id).map((entry) => entry.action);
    expect(trail.filter((action) => action.startsWith('district-'))).toEqual([
      'district-upload',
      'district-verify',
      'district-delete',
    ]);
    const verify = auditTrail(station.db, 'recording', id).find(
      (entry) => entry.action === 'district-verify',
    )!;
    expect(verify.detail).toMatchObject({
      result: 'match',
      versionId: row.versionId,
      objectKey: row.objectKey,
    });
  });

  it('a recording the review deletes before it is uploaded leaves the outbox, its parts aborted, on the record', async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const district = await openDistrictStation(services!, { stationId: 'ft-withdraw', bucket, postgresUrl });
    open.push(district);
    const { station, sync } = district;
    const id = await ingestEightMonthsAgo(district);
    // Queued, and a first attempt had opened a multipart upload; then the station went offline.
    joinDistrict(station.db, 'ft-withdraw', station.clock.now());
    const key = `ft-withdraw/unsent/${id}.mp4`;
    const started = await sync.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    markUploading(station.db, id, key, started.UploadId!);

    await deleteThroughReview(station, id, '误录');

    const report = await sync.runOnce();
    expect(report.failed).toEqual([]);
    expect(report.uploaded).toEqual([]);
    expect(report.withdrawn).toEqual([id]);
    expect(outboxRow(station.db, id)).toBeNull();
    expect(outboxCounts(station.db)).toMatchObject({ pending: 0, uploading: 0, failed: 0 });
    const uploads = await sync.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    const entry = auditTrail(station.db, 'recording', id).find(
      (item) => item.action === 'district-withdraw',
    )!;
    expect(entry.detail).toMatchObject({ abortedUploadId: started.UploadId, state: 'uploading' });
    expect((await sync.runOnce()).withdrawn).toEqual([]);
    expect(await sync.ledger.ledger({ stationId: 'ft-withdraw' })).toEqual([]);
  });
});

/** The station's deletion review, at once: ops proposes, a leader approves, no grace period, purged. */
async function deleteThroughReview(station: DistrictStation['station'], id: number, reason: string) {
  await addReviewers(station);
  const review = { ...deletionContext(station), graceDays: 0 };
  const now = station.clock.now();
  proposeDeletion(review, { recordingId: id, by: 'ops1', reason }, now);
  approveDeletion(review, { recordingId: id, by: 'leader1' }, now);
  expect((await purgeDeletions(review, now)).deleted).toEqual([id]);
}

/** One recording dated eight months ago: the station was offline past its retention end. */
async function ingestEightMonthsAgo(district: DistrictStation): Promise<number> {
  const [id] = await district.ingest(1);
  const { db, config } = district.station;
  const eightMonthsAgo = localDateIn(new Date(Date.now() - 240 * 86_400_000), config.station.timezone);
  db.prepare('UPDATE recordings SET local_date = ? WHERE id = ?').run(eightMonthsAgo, id);
  return id;
}
