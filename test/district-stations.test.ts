import { afterEach, describe, expect, it } from 'vitest';
import { DistrictLedger, type DistrictRecording } from '../src/district/district-ledger.ts';
import { outboxRow } from '../src/district/outbox.ts';
import { bypassesRowSecurity } from '../src/district/station-accounts.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';
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

    // Pages follow each other by keyset (the last row of the page before), in ledger order, rows
    // without a date last; every row once, with or without the station filter.
    const admin = new DistrictLedger(postgresUrl, 'Asia/Shanghai');
    try {
      await admin.pool.query(
        `INSERT INTO recordings (station_id, recording_id, sha256, size_bytes, kind, source_path, playback, late,
           ingested_at, object_key, retain_until, legal_hold, uploaded_at, verified_at)
         VALUES ('ft-west', 99, repeat('a', 64), 1, 'video', 'x.mp4', 'ok', false, '2026-01-01T08:00:00+08:00',
           'k', now() + interval '1 day', false, now(), now())`,
      );
      for (const stationId of [undefined, 'ft-west']) {
        const whole = await admin.ledger({ stationId });
        expect(whole.at(-1)).toMatchObject({ stationId: 'ft-west', recordingId: 99, date: null });
        expect(whole[0].verifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
        const paged: DistrictRecording[] = [];
        for (let page = await admin.ledger({ stationId, limit: 1 }); page.length; ) {
          paged.push(...page);
          page = await admin.ledger({ stationId, limit: 1, after: page.at(-1) });
        }
        expect(paged).toEqual(whole);
        expect(paged).toHaveLength(stationId ? 3 : 5);
      }
    } finally {
      await admin.close();
    }
  });

  it("lets a station write only its own rows: PostgreSQL refuses it another station's", async () => {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const east = await openDistrictStation(services!, { stationId: 'ft-east', bucket, postgresUrl });
    const west = await openDistrictStation(services!, { stationId: 'ft-west', bucket, postgresUrl });
    open.push(east, west);
    await east.ingest(1);
    const [westId] = await west.ingest(1, { badge: '010002' });
    await east.sync.runOnce();
    await west.sync.runOnce();
    const asEast = east.sync.ledger.pool;
    expect(await bypassesRowSecurity(asEast)).toBe(false);

    // The station's own write path, handed the other station's id, is refused by the database.
    const westRecording = findRecording(west.station.db, westId)!;
    const copy = {
      objectKey: 'ft-west/forged',
      versionId: 'forged',
      retainUntil: new Date('2030-01-01T00:00:00Z'),
      legalHold: false,
      uploadedAt: new Date(),
      verifiedAt: new Date(),
    };
    await expect(east.sync.ledger.writeRecording('ft-west', westRecording, copy)).rejects.toThrow(
      /row-level security/,
    );
    await expect(
      east.sync.ledger.writeAnchor({
        stationId: 'ft-west',
        headId: 1,
        headHash: '0'.repeat(64),
        entryCount: 1,
        anchoredAt: new Date().toISOString(),
        objectKey: 'ft-west/_audit-anchors/forged',
        versionId: null,
      }),
    ).rejects.toThrow(/row-level security/);
    // Another station's rows are invisible to its updates, and nobody but the owner deletes.
    const altered = await asEast.query(
      "UPDATE recordings SET legal_hold = true, retain_until = retain_until + interval '1 year' WHERE station_id = 'ft-west'",
    );
    expect(altered.rowCount).toBe(0);
    const contact = await asEast.query("UPDATE stations SET failed = 99 WHERE id = 'ft-west'");
    expect(contact.rowCount).toBe(0);
    await expect(asEast.query("DELETE FROM recordings WHERE station_id = 'ft-west'")).rejects.toThrow(
      /permission denied/,
    );
    await expect(asEast.query("DELETE FROM recordings WHERE station_id = 'ft-east'")).rejects.toThrow(
      /permission denied/,
    );
    // Even its own verified copy keeps the bytes it vouches for and never loses retention.
    await expect(
      asEast.query("UPDATE recordings SET sha256 = repeat('0', 64) WHERE station_id = 'ft-east'"),
    ).rejects.toThrow(/cannot change its sha256/);
    await expect(
      asEast.query("UPDATE recordings SET retain_until = now() WHERE station_id = 'ft-east'"),
    ).rejects.toThrow(/never shortened/);

    const westRows = await west.sync.ledger.ledger({ stationId: 'ft-west' });
    expect(westRows).toMatchObject([
      {
        recordingId: westId,
        sha256: westRecording.sha256,
        legalHold: false,
        objectKey: outboxRow(west.station.db, westId)!.objectKey,
      },
    ]);
    const [westStation] = (await east.sync.ledger.stations()).filter((station) => station.id === 'ft-west');
    expect(westStation.failed).toBe(0);
  });
});
