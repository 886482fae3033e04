import { afterEach, describe, expect, it } from 'vitest';
import { outboxRow } from '../src/district/outbox.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, migrate, openDistrictStation } from './helpers/district-station.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

const services = districtServices();

describe.skipIf(!services)('two stations in one district (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  it('keeps both stations apart in one bucket and one ledger, and filters the union by station and badge', async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const east = await openDistrictStation(services!, { stationId: 'ft-east', bucket, postgresUrl });
    const west = await openDistrictStation(services!, { stationId: 'ft-west', bucket, postgresUrl });
    open.push(east, west);
    await migrate(east.sync);
    await migrate(west.sync);
    // Both stations number their recordings from 1: the district tells them apart by station.
    const eastIds = await east.ingest(2, { badge: '010001' });
    const westIds = await west.ingest(1, { badge: '010002' });
    expect(eastIds[0]).toBe(westIds[0]);
    expect((await east.sync.runOnce()).uploaded).toHaveLength(2);
    expect((await west.sync.runOnce()).uploaded).toHaveLength(1);
    expect(outboxRow(east.station.db, 1)!.objectKey).toMatch(/^ft-east\//);
    expect(outboxRow(west.station.db, 1)!.objectKey).toMatch(/^ft-west\//);

    const env = { STATION_CONFIG: east.configFile };
    const all = parseJson<{ recordings: { stationId: string; recordingId: number }[] }>(
      await runStation(['district', 'ledger', '--json'], { home: east.home, env }),
    ).recordings;
    expect(all.map((row) => `${row.stationId}#${row.recordingId}`).sort()).toEqual([
      'ft-east#1',
      'ft-east#2',
      'ft-west#1',
    ]);
    const westOnly = parseJson<{ recordings: { stationId: string }[] }>(
      await runStation(['district', 'ledger', '--station', 'ft-west', '--json'], { home: east.home, env }),
    ).recordings;
    expect(westOnly.map((row) => row.stationId)).toEqual(['ft-west']);
    const byBadge = parseJson<{ recordings: { badge: string }[] }>(
      await runStation(['district', 'ledger', '--badge', '010001', '--json'], { home: east.home, env }),
    ).recordings;
    expect(byBadge.map((row) => row.badge)).toEqual(['010001', '010001']);

    // A second pass of one station changes only its own rows.
    await west.ingest(1, { badge: '010002' });
    await west.sync.runOnce();
    const stations = await east.sync.ledger.stations();
    expect(stations.map((station) => [station.id, station.recordings])).toEqual([
      ['ft-east', 2],
      ['ft-west', 2],
    ]);
  });
});
