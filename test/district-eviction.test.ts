import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyArchive } from '../src/archive/fixity.ts';
import { roles } from '../src/auth/roles.ts';
import { addUser } from '../src/auth/users.ts';
import { buildDashboard } from '../src/dashboard/app.ts';
import { FootageReader } from '../src/district/footage-reader.ts';
import { outboxRow } from '../src/district/outbox.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import { type DashboardServer, loggedIn, officerBadge, passwordOf } from './helpers/dashboard-server.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';

const services = districtServices();
const day = 86_400_000;

describe.skipIf(!services)('local eviction with district.keepLocalDays (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  it('removes old local copies once the district copy is verified, then plays and re-verifies them from the bucket', async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    let now = Date.now();
    const station = await openDistrictStation(
      services!,
      { stationId: 'ft-evict', bucket, postgresUrl, keepLocalDays: 3 },
      { clock: { now: () => new Date(now) } },
    );
    open.push(station);
    const [id] = await station.ingest(1);
    const recording = findRecording(station.station.db, id)!;
    const local = station.station.archive.absolutePath(recording.archivePath!);

    // Verified but recent: kept.
    expect((await station.sync.runOnce()).evicted).toEqual([]);
    expect(existsSync(local)).toBe(true);
    now += 4 * day;
    expect((await station.sync.runOnce()).evicted).toEqual([id]);
    expect(existsSync(local)).toBe(false);
    // The ledger row stays, marked as held by the district.
    expect(findRecording(station.station.db, id)!.archivePath).toBe(recording.archivePath);
    expect(outboxRow(station.station.db, id)!.localEvictedAt).not.toBeNull();

    // Fixity reads the district copy.
    const reader = new FootageReader(station.station);
    const fixity = await verifyArchive(station.station.db, station.station.archive, { district: reader });
    reader.close();
    expect(fixity.problems).toEqual([]);
    expect(fixity.checked).toBe(1);

    // Playback on the dashboard streams the bucket's bytes, ranges included.
    for (const role of roles) {
      await addUser(
        station.station.db,
        { name: role, role, password: passwordOf(role), badge: role === 'officer' ? officerBadge : null },
        new Date(),
      );
    }
    const app = await buildDashboard(station.station);
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const server = { station: station.station, app, baseUrl, folder: station.folder } as DashboardServer;
      const officer = await loggedIn(server, 'officer');
      const whole = await officer.get(`/recordings/${id}/media`);
      expect(whole.status).toBe(200);
      const bytes = Buffer.from(await whole.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(recording.sha256);
      const part = await officer.get(`/recordings/${id}/media`, { range: 'bytes=100-199' });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    } finally {
      await app.close();
    }
  });
});
