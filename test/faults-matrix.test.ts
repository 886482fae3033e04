import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { statfsSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationAlerts } from '../src/compliance/alerts.ts';
import { dockReasonLabel } from '../src/dashboard/views/dock-card.ts';
import { type DockStage, dockStages } from '../src/dock/dock-session.ts';
import { translator } from '../src/i18n/catalogue.ts';
import type { Dock } from '../src/ledger/docks.ts';
import {
  archivedCopies,
  dockFolderIn,
  type FaultStation,
  hashTree,
  invariantProblems,
  startFaultStation,
  undockFolder,
  writeRecorderContent,
} from './helpers/fault-station.ts';
import { PullableVolume } from './helpers/fault-volume.ts';
import { parseJson, repoRoot, runStation } from './helpers/station-cli.ts';
import { until } from './helpers/until.ts';

// The fault matrix: each fault of the field, at each stage a recording passes through. Every cell
// docks a recorder with its own content, faults the world at exactly that stage (the session's stage
// hook), and then checks the same promises: the station still runs, nothing half-done looks done,
// the recorder is untouched, the dock ends in a named state with a translated reason, an alert is
// raised where someone must act, and docking the recorder again archives every file exactly once.

const zh = translator('zh-CN');
let variant = 1;

interface Cell {
  stage: DockStage;
  /** The end state of the faulted dock; a list where the fault's timing may give either. */
  state: string | string[];
  reason?: string | null;
}

/** Where the fault at each stage lands: file B is the large one, so `copy` faults mid-file. */
const faultFile: Partial<Record<DockStage, string>> = { copy: 'B_0002.MP4', copied: 'A_0001.MP4' };

async function expectEnded(dock: Dock, cell: Cell): Promise<void> {
  const states = Array.isArray(cell.state) ? cell.state : [cell.state];
  expect(states).toContain(dock.state);
  if (cell.reason !== undefined && dock.state !== 'done') expect(dock.reason).toBe(cell.reason);
  if (dock.state === 'done') expect(dock.reason).toBeNull();
  else {
    // The dashboard's card and the API say it with this label; the zh-CN text is not the code.
    const label = dockReasonLabel(zh, dock.reason);
    expect(label).toMatch(/[\u4e00-\u9fff]/);
  }
}

/** `station docks --json` run against the same home: every faulted dock has its reason in words. */
async function expectDocksJsonReasons(fault: FaultStation, dockIds: number[]): Promise<void> {
  const result = await runStation(['docks', '--json', '--limit', '200'], {
    home: fault.home,
    env: { STATION_CONFIG: path.join(fault.folder, 'config.json') },
  });
  const listed = parseJson<{ current: unknown[]; recent: (Dock & { reasonText: string | null })[] }>(result);
  expect(listed.current).toEqual([]);
  for (const id of dockIds) {
    const dock = listed.recent.find((candidate) => candidate.id === id)!;
    expect(dock).toBeDefined();
    if (dock.state !== 'done') expect(dock.reasonText).toMatch(/[\u4e00-\u9fff]/);
  }
}

/** One cell on folder docks: fault, check, clear the fault, re-dock, check again. */
async function folderCell(
  fault: FaultStation,
  cell: Cell,
  inject: () => void | Promise<void>,
  clear: () => void | Promise<void>,
): Promise<number> {
  const name = `R${variant}`;
  const content = path.join(fault.folder, 'content', name);
  await writeRecorderContent(content, variant++);
  const before = await hashTree(content);
  fault.faultAt(cell.stage, inject, faultFile[cell.stage]);
  const faulted = await dockFolderIn(fault, content, name);
  await expectEnded(faulted, cell);
  const away = path.join(fault.folder, 'away', name);
  await mkdir(path.dirname(away), { recursive: true });
  await undockFolder(fault, name, away);
  expect(await hashTree(away)).toEqual(before);
  await clear();
  expect(await invariantProblems(fault.station)).toEqual([]);
  const again = await dockFolderIn(fault, away, name);
  expect(again.state).toBe('done');
  expect(archivedCopies(fault.station, Object.values(before))).toEqual(Object.values(before).map(() => 1));
  expect(await invariantProblems(fault.station)).toEqual([]);
  return faulted.id;
}

describe('a recorder pulled out (its exFAT FUSE server killed) at each stage', () => {
  let fault: FaultStation;
  const faulted: number[] = [];
  beforeAll(async () => {
    fault = await startFaultStation();
  });
  afterAll(async () => {
    await expectDocksJsonReasons(fault, faulted);
    await fault.close();
  });

  const cells: Cell[] = [
    { stage: 'scan', state: 'device-removed', reason: 'device-removed' },
    { stage: 'copy', state: 'device-removed', reason: 'device-removed' },
    { stage: 'copied', state: 'device-removed', reason: 'device-removed' },
    { stage: 'read-back', state: 'device-removed', reason: 'device-removed' },
    // Every file is archived and read back by then: the recorder was safe to take.
    { stage: 'playback-check', state: 'done' },
    { stage: 'dock-end', state: 'done' },
  ];
  it.each(cells)(
    'pulled at $stage: ends $state, nothing half-done, re-dock archives each file once',
    async (cell) => {
      const name = `P${variant}`;
      const content = path.join(fault.folder, 'content', name);
      await writeRecorderContent(content, variant++);
      const before = await hashTree(content);
      const volume = await PullableVolume.create({
        image: path.join(fault.folder, `${name}.img`),
        label: name,
        content,
        staging: path.join(fault.folder, 'staging', name),
        mountPoint: path.join(fault.folder, 'media', name),
      });
      try {
        let server: Promise<number> = new Promise(() => {});
        fault.faultAt(
          cell.stage,
          // Every stage waits for it (at `copy`, the first chunk), so the pull lands where it aims.
          async () => {
            await volume.pull(await server);
          },
          faultFile[cell.stage],
        );
        const ended = fault.dockEnded(volume.mountPoint);
        await volume.plugIn();
        server = volume.serverPid();
        await server;
        const dock = await ended;
        faulted.push(dock.id);
        await expectEnded(dock, cell);
        await volume.unplugged();
        await until(() => !fault.docks.watcher.current().some((seen) => seen.root === volume.mountPoint));
        expect(await invariantProblems(fault.station)).toEqual([]);

        const again = fault.dockEnded(volume.mountPoint);
        await volume.plugIn();
        expect((await again).state).toBe('done');
        expect(await hashTree(volume.mountPoint)).toEqual(before);
        expect(archivedCopies(fault.station, Object.values(before))).toEqual([1, 1, 1]);
        expect(await invariantProblems(fault.station)).toEqual([]);
      } finally {
        await volume.destroy();
      }
    },
  );
});

describe('the archive disk filling up at each stage', () => {
  let fault: FaultStation;
  const faulted: number[] = [];
  let fillers = 0;
  const filler = (index: number) => path.join(fault.station.archive.root, `filler-${index}.bin`);
  beforeAll(async () => {
    fault = await startFaultStation({ archiveMegabytes: 24 });
  });
  afterAll(async () => {
    await expectDocksJsonReasons(fault, faulted);
    await fault.close();
  });

  // Synchronous, so that it also works from inside a chunk of the copy.
  const fill = () => {
    const stats = statfsSync(fault.station.archive.root);
    try {
      writeFileSync(filler(fillers++), Buffer.alloc(Number(stats.bavail) * Number(stats.bsize)));
    } catch {
      // Full: exactly what we wanted.
    }
  };
  const cells: Cell[] = [
    { stage: 'scan', state: 'failed', reason: 'archive-full' },
    { stage: 'copy', state: 'failed', reason: 'archive-full' },
    { stage: 'copied', state: 'failed', reason: 'archive-full' },
    { stage: 'read-back', state: 'failed', reason: 'archive-full' },
    { stage: 'playback-check', state: 'done' },
    { stage: 'dock-end', state: 'done' },
  ];
  it.each(cells)(
    'full at $stage: ends $state with an alert for ops, re-dock archives each file once',
    async (cell) => {
      const id = await folderCell(fault, cell, fill, async () => {
        // Someone must act: the station says so while the disk is full. Filled again first: the
        // copy of the next file, failing on the full disk, gave its partial's space back.
        fill();
        const alerts = await stationAlerts(fault.station, new Date());
        expect(alerts).toEqual(
          expect.arrayContaining([expect.objectContaining({ kind: 'low-disk', severity: 'critical' })]),
        );
        for (let index = 0; index < fillers; index++) await rm(filler(index), { force: true });
      });
      faulted.push(id);
    },
  );
});

describe('the archive turning read-only at each stage', () => {
  let fault: FaultStation;
  const faulted: number[] = [];
  // Refused (EBUSY) while the next file's copy has its partial open for writing: tried again until
  // that copy closes it, which is when a failing disk would hit its next write anyway.
  const remount = async (mode: 'ro' | 'rw') => {
    await until(() => {
      try {
        execFileSync('mount', ['-o', `remount,${mode}`, fault.station.archive.root], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
  };
  beforeAll(async () => {
    fault = await startFaultStation({ archiveMegabytes: 64 });
  });
  afterAll(async () => {
    await expectDocksJsonReasons(fault, faulted);
    await fault.close();
  });

  // A file system cannot be remounted read-only while a file on it is open for writing, so the
  // mid-copy write failure is the disk-full cell's `copy`.
  const cells: Cell[] = [
    { stage: 'scan', state: 'failed', reason: 'archive-unwritable' },
    { stage: 'copied', state: 'failed', reason: 'archive-unwritable' },
    { stage: 'read-back', state: 'failed', reason: 'archive-unwritable' },
    { stage: 'playback-check', state: 'done' },
    { stage: 'dock-end', state: 'done' },
  ];
  it.each(cells)('read-only at $stage: ends $state, re-dock archives each file once', async (cell) => {
    faulted.push(
      await folderCell(
        fault,
        cell,
        () => remount('ro'),
        () => remount('rw'),
      ),
    );
  });
});

describe('the ledger held by another writer at each stage', () => {
  let fault: FaultStation;
  const faulted: number[] = [];
  let holder: ChildProcess | null = null;
  beforeAll(async () => {
    fault = await startFaultStation();
    // The station waits this long for a lock before the write fails (10 s in service).
    fault.station.db.pragma('busy_timeout = 200');
  });
  afterAll(async () => {
    await expectDocksJsonReasons(fault, faulted);
    await fault.close();
  });

  /** Another process takes the write lock for 1.5 s, as a long CLI command would. */
  const holdLedger = () =>
    new Promise<void>((resolve) => {
      holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]);
           db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
           setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1500);`,
          path.join(fault.home, 'station.db'),
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      holder.stdout?.once('data', () => resolve());
    });
  const released = () =>
    new Promise<void>((resolve) => {
      if (!holder || holder.exitCode !== null) resolve();
      else holder.once('exit', () => resolve());
    });

  const cells: Cell[] = dockStages.map((stage) => ({
    stage,
    state: ['done', 'failed'],
    reason: 'ledger-busy',
  }));
  it.each(cells)('held at $stage: the dock still ends, re-dock archives each file once', async (cell) => {
    faulted.push(await folderCell(fault, cell, holdLedger, released));
  });
});

describe('the wall clock jumping at each stage', () => {
  let offsetMs = 0;
  let fault: FaultStation;
  beforeAll(async () => {
    fault = await startFaultStation({ clock: { now: () => new Date(Date.now() + offsetMs) } });
  });
  afterAll(async () => {
    await fault.close();
  });

  const cells: Cell[] = dockStages.map((stage) => ({ stage, state: 'done' }));
  it.each(cells)('jumping at $stage: the dock ends done, re-dock finds nothing new', async (cell) => {
    await folderCell(
      fault,
      cell,
      () => {
        // Backwards one day on even cells, forwards two on odd ones: NTP after a dead RTC battery.
        offsetMs = variant % 2 ? 2 * 86_400_000 : -86_400_000;
      },
      () => {
        offsetMs = 0;
      },
    );
  });
});
