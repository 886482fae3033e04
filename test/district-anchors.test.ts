import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/custody/audit-chain.ts';
import { type AuditRow, genesisHash, rowHash } from '../src/custody/audit-log.ts';
import type { Db } from '../src/ledger/database.ts';
import { createBucket, createDistrictDatabase, districtServices } from './helpers/district-services.ts';
import { type DistrictStation, openDistrictStation } from './helpers/district-station.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

const services = districtServices();

/** What an insider with root does: edits one entry and recomputes every hash after it. */
function rewriteChainFrom(db: Db, entryId: number): void {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];
  let previous = genesisHash;
  db.transaction(() => {
    for (const row of rows) {
      if (row.id === entryId) row.actor = 'someone-else';
      if (row.id >= entryId) {
        row.previous_hash = previous;
        row.hash = rowHash(row);
        db.prepare('UPDATE audit_log SET actor = ?, previous_hash = ?, hash = ? WHERE id = ?').run(
          row.actor,
          row.previous_hash,
          row.hash,
          row.id,
        );
      }
      previous = row.hash;
    }
  })();
}

interface VerifyJson {
  passed: boolean;
  auditChain: { problems: unknown[] };
  anchors: {
    sources: { name: string; anchors: number }[];
    problems: { source: string; problem: string; anchor: { headId: number } | null }[];
  };
}

describe.skipIf(!services)('audit anchors in the district (real Ceph and PostgreSQL)', () => {
  let open: DistrictStation[] = [];
  afterEach(async () => {
    for (const station of open) await station.close();
    open = [];
  });

  async function anchoredStation() {
    const bucket = await createBucket(services!);
    const postgresUrl = await createDistrictDatabase(services!);
    const station = await openDistrictStation(services!, { stationId: 'ft-anchor', bucket, postgresUrl });
    open.push(station);
    await station.ingest(2);
    const report = await station.sync.runOnce();
    expect(report.anchoredHeadId).not.toBeNull();
    return { station, headId: report.anchoredHeadId! };
  }

  const verify = async (station: DistrictStation) => {
    const result = await runStation(['verify', '--json'], {
      home: station.home,
      env: { STATION_CONFIG: station.configFile },
    });
    return { code: result.code, report: parseJson<VerifyJson>(result) };
  };

  it('passes station verify while the local chain matches every anchor', async () => {
    const { station } = await anchoredStation();
    const { code, report } = await verify(station);
    expect(report.anchors.sources).toContainEqual({ name: 'district ft-anchor', anchors: 1 });
    expect(report.anchors.problems).toEqual([]);
    expect(code).toBe(0);
  });

  it('shows a chain rewritten from an old entry, though the rewritten chain is valid on its own', async () => {
    const { station, headId } = await anchoredStation();
    rewriteChainFrom(station.station.db, 1);
    expect(verifyAuditChain(station.station.db).problems).toEqual([]);
    const { code, report } = await verify(station);
    expect(code).toBe(1);
    expect(report.anchors.problems).toEqual([
      expect.objectContaining({
        source: 'district ft-anchor',
        problem: 'rewritten',
        anchor: expect.objectContaining({ headId }),
      }),
    ]);
  });

  it('shows the newest entries deleted after they were anchored', async () => {
    const { station, headId } = await anchoredStation();
    station.station.db.prepare('DELETE FROM audit_log WHERE id >= ?').run(headId - 1);
    const { code, report } = await verify(station);
    expect(code).toBe(1);
    expect(report.anchors.problems).toEqual([
      expect.objectContaining({
        source: 'district ft-anchor',
        problem: 'deleted',
        anchor: expect.objectContaining({ headId }),
      }),
    ]);
  });
});
