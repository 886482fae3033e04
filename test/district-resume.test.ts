import { ListPartsCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { partBytes } from '../src/district/multipart-upload.ts';
import { outboxRow } from '../src/district/outbox.ts';
import { createS3Client } from '../src/district/s3-client.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import {
  createBucket,
  createDistrictDatabase,
  districtServices,
  s3Settings,
  startGateway,
} from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';

const services = districtServices();

const day = 86_400_000;

describe.skipIf(!services)('district sync through a network cut (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  it('resumes a multipart upload from the parts the store already holds after the store stops mid-upload', async () => {
    const gateway = await startGateway(services!, `rgw-cut-${process.pid}`);
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    let now = Date.now();
    const station = await openDistrictStation(
      services!,
      { stationId: 'ft-cut', bucket, postgresUrl, endpoint: gateway.endpoint },
      { partsInFlight: 1, clock: { now: () => new Date(now) } },
    );
    open.push(station);
    const [id] = await station.ingest(1, { large: true, seconds: 22 });
    const recording = findRecording(station.station.db, id)!;
    expect(recording.sizeBytes).toBeGreaterThan(2 * partBytes);

    // Cut the store as soon as it holds the first part; the pass fails and keeps the upload id.
    const pass = station.sync.runOnce();
    const observer = createS3Client({ s3: s3Settings(services!, bucket) });
    try {
      for (;;) {
        const row = outboxRow(station.station.db, id)!;
        if (row.uploadId) {
          const parts = await observer.send(
            new ListPartsCommand({ Bucket: bucket, Key: row.objectKey!, UploadId: row.uploadId }),
          );
          if ((parts.Parts?.length ?? 0) >= 1) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      observer.destroy();
    }
    process.kill(await gateway.pid(), 'SIGKILL');
    // The pass ends with the store unreachable (its later steps need it too); the row keeps its state.
    await pass.catch(() => null);
    const waiting = outboxRow(station.station.db, id)!;
    expect(waiting.state).toBe('uploading');
    expect(waiting.uploadId).not.toBeNull();
    expect(waiting.attempts).toBe(1);

    await gateway.restart();
    // The retry waits out its back-off.
    now += 60_000;
    const resumed = await station.sync.runOnce();
    expect(resumed.failed).toEqual([]);
    expect(resumed.uploaded).toEqual([id]);
    expect(resumed.resumedParts).toBeGreaterThanOrEqual(1);
    const done = outboxRow(station.station.db, id)!;
    expect(done.state).toBe('verified');
    const [row] = await station.sync.ledger.ledger({ stationId: 'ft-cut' });
    expect(row.sha256).toBe(recording.sha256);
    expect(row.sizeBytes).toBe(recording.sizeBytes);
  });

  it('keeps a station offline for days working, then catches up on everything in one pass', async () => {
    const gateway = await startGateway(services!, `rgw-offline-${process.pid}`);
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    let now = Date.now();
    const clock = { now: () => new Date(now) };
    const station = await openDistrictStation(
      services!,
      { stationId: 'ft-offline', bucket, postgresUrl, endpoint: gateway.endpoint },
      { clock },
    );
    open.push(station);
    process.kill(await gateway.pid(), 'SIGKILL');

    const ingested: number[] = [];
    for (let offlineDay = 0; offlineDay < 3; offlineDay++) {
      ingested.push(...(await station.ingest(2, { badge: offlineDay % 2 ? '010002' : '010001' })));
      await expect(station.sync.runOnce()).rejects.toThrow();
      now += day;
    }
    // Nothing was lost and no row was pushed back by failures it did not cause.
    for (const id of ingested) {
      expect(outboxRow(station.station.db, id)).toMatchObject({ state: 'pending', attempts: 0 });
    }

    await gateway.restart();
    const report = await station.sync.runOnce();
    expect(report.failed).toEqual([]);
    expect(report.uploaded.sort((a, b) => a - b)).toEqual(ingested);
    const stations = await station.sync.ledger.stations();
    expect(stations).toEqual([
      expect.objectContaining({ id: 'ft-offline', pending: 0, uploading: 0, failed: 0, recordings: 6 }),
    ]);
  });
});
