import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findDock } from '../src/ledger/docks.ts';
import {
  dockFolderIn,
  type FaultStation,
  startFaultStation,
  writeRecorderContent,
} from './helpers/fault-station.ts';
import { until } from './helpers/until.ts';

let fault: FaultStation | undefined;
/** Lets a held copy go: a failed test must not leave the station waiting for it at close. */
let release = () => {};
afterEach(async () => {
  release();
  await fault?.close();
  fault = undefined;
});

describe('the playback checks', () => {
  it('wait while another recorder is being copied, then check every file', async () => {
    fault = await startFaultStation({ maxParallel: 2 });
    const station = fault.station;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    // The first copy of the first dock stops mid-file until released: a recorder still copying.
    fault.faultAt('copy', () => {
      holding = true;
      return held;
    });
    const slow = path.join(fault.folder, 'content', 'SLOW');
    const quick = path.join(fault.folder, 'content', 'QUICK');
    await writeRecorderContent(slow, 1);
    await writeRecorderContent(quick, 2);
    const slowEnded = dockFolderIn(fault, slow, 'SLOW');
    await until(() => holding);
    const quickEnded = dockFolderIn(fault, quick, 'QUICK');

    const quickRows = () =>
      station.db
        .prepare(
          `SELECT r.probed_at AS probedAt, r.verified_at AS verifiedAt FROM recordings r
           JOIN docks d ON d.id = r.dock_id WHERE d.source_path LIKE '%QUICK'`,
        )
        .all() as { probedAt: string | null; verifiedAt: string | null }[];
    // Every file of the quick recorder is copied, read back and in the ledger: it may be unplugged.
    await until(() => quickRows().length === 3 && quickRows().every((row) => row.verifiedAt));
    const dockId = station.db
      .prepare("SELECT id FROM docks WHERE source_path LIKE '%QUICK'")
      .pluck()
      .get() as number;
    // A row is seen at its commit and the dock moves on once it is on the disk (writeDurably).
    await until(() => findDock(station.db, dockId)?.state === 'checking-playback');
    // ...and its playback checks wait for the copy that is still going on. Nothing announces a check
    // that does not start, so the test gives them time to start wrongly (a check of these 1-s clips
    // takes well under a second; the wait for the copies would give up only after 60 s).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(quickRows().map((row) => row.probedAt)).toEqual([null, null, null]);

    release();
    const [slowDock, quickDock] = await Promise.all([slowEnded, quickEnded]);
    expect([slowDock.state, quickDock.state]).toEqual(['done', 'done']);
    expect(quickRows().every((row) => row.probedAt !== null)).toBe(true);
    const unchecked = station.db
      .prepare('SELECT COUNT(*) FROM recordings WHERE archive_path IS NOT NULL AND probed_at IS NULL')
      .pluck()
      .get();
    expect(unchecked).toBe(0);
  });
});
