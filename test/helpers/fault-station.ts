import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { hashFile } from '../../src/archive/copy-file.ts';
import { DockService, folderDockRoot } from '../../src/dock/dock-service.ts';
import type { DockStage, StageHook } from '../../src/dock/dock-session.ts';
import { FakeUsbWatcher } from '../../src/dock/fake-usb-watcher.ts';
import { makeVideo } from '../../src/footage/generate.ts';
import { type Dock, findDock, listDocks } from '../../src/ledger/docks.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import type { Clock } from '../../src/time/clock.ts';
import { temporaryFolder } from './station-cli.ts';
import { until } from './until.ts';

const run = promisify(execFile);

/** What a fault test does to the world when the dock reaches a stage. */
export type FaultAction = (at: { dockId: number; sourcePath?: string }) => void | Promise<void>;

export interface FaultStation {
  folder: string;
  home: string;
  station: Station;
  docks: DockService;
  /** Arms a fault for the next time a dock reaches `stage` (with `file`: for that file), once. */
  faultAt(stage: DockStage, action: FaultAction, file?: string): void;
  /** Resolves with the dock row once the next dock of `root` has ended. */
  dockEnded(root: string): Promise<Dock>;
  close(): Promise<void>;
}

/**
 * A real station (SQLite, archive, drivers, dock service) in a temporary home for the fault matrix.
 * `archiveMegabytes` puts the archive on its own small tmpfs, so that a test can fill it or make it
 * read-only without touching the rest of the station.
 */
export async function startFaultStation(
  options: { archiveMegabytes?: number; clock?: Clock; maxParallel?: number } = {},
): Promise<FaultStation> {
  const scratch = await temporaryFolder('faults');
  const home = path.join(scratch.path, 'home');
  const archive = path.join(home, 'archive');
  const mounts: string[] = [];
  if (options.archiveMegabytes) {
    await mkdir(archive, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', `size=${options.archiveMegabytes}m`, 'tmpfs', archive]);
    mounts.push(archive);
  }
  const configFile = path.join(scratch.path, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      dock: {
        mountRoots: [path.join(scratch.path, 'media')],
        settleSeconds: 0,
        maxParallel: options.maxParallel ?? 2,
      },
      ingest: { copyChunkBytes: 65536 },
      archive: { minFreeBytes: 1024 * 1024 },
    }),
  );
  const station = await openStation({
    env: { STATION_HOME: home, STATION_CONFIG: configFile },
    logger: silentLogger,
    clock: options.clock,
  });
  const armed = new Map<DockStage, { action: FaultAction; file?: string }>();
  const onStage: StageHook = (stage, at) => {
    const fault = armed.get(stage);
    if (!fault || (fault.file && !at.sourcePath?.endsWith(fault.file))) return;
    armed.delete(stage);
    return fault.action(at);
  };
  const docks = new DockService({
    station,
    usb: new FakeUsbWatcher(),
    logger: silentLogger,
    identifyUsb: async () => null,
    pollMs: 100,
    onStage,
  });
  await docks.start();
  return {
    folder: scratch.path,
    home,
    station,
    docks,
    faultAt: (stage, action, file) => {
      armed.set(stage, { action, file });
    },
    dockEnded: (root) =>
      new Promise((resolve) => {
        const stop = station.events.on('dock.done', (done) => {
          const dock = findDock(station.db, done.dockId);
          if (dock?.sourcePath !== root) return;
          stop();
          resolve(dock);
        });
      }),
    async close() {
      await docks.stop();
      await station.playback.whenIdle();
      station.close();
      for (const mount of mounts) await run('umount', ['-l', mount]).catch(() => {});
      await scratch.remove();
    },
  };
}

/**
 * A recorder's content: one real video (distinct per `variant`), one 2 MiB file large enough that a
 * fault lands in the middle of its copy, and one more small video.
 */
export async function writeRecorderContent(folder: string, variant: number): Promise<void> {
  const dcim = path.join(folder, 'DCIM');
  await mkdir(dcim, { recursive: true });
  await makeVideo(path.join(dcim, 'A_0001.MP4'), { seconds: 1, width: 160, height: 120, variant });
  await run('dd', [
    'if=/dev/urandom',
    `of=${path.join(dcim, 'B_0002.MP4')}`,
    'bs=64k',
    'count=32',
    'status=none',
  ]);
  await makeVideo(path.join(dcim, 'C_0003.MP4'), {
    seconds: 1,
    width: 160,
    height: 120,
    variant: variant + 100_000,
  });
}

/** SHA-256 of every file below `root`, by relative path: the recorder must come out as it went in. */
export async function hashTree(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else hashes[path.relative(root, full)] = await hashFile(full);
    }
  };
  await walk(root);
  return hashes;
}

/** Docks a prepared folder the way the demo does: it appears in the station's folder-dock root. */
export async function dockFolderIn(fault: FaultStation, prepared: string, name: string): Promise<Dock> {
  const root = path.join(folderDockRoot(fault.home), name);
  const ended = fault.dockEnded(root);
  await mkdir(path.dirname(root), { recursive: true });
  await rename(prepared, root);
  return ended;
}

/** Takes a docked folder out again (and waits until the station saw it go), for a re-dock. */
export async function undockFolder(fault: FaultStation, name: string, to: string): Promise<void> {
  const root = path.join(folderDockRoot(fault.home), name);
  await rename(root, to);
  await until(() => !fault.docks.watcher.current().some((seen) => seen.root === root));
}

/**
 * What every cell of the fault matrix must hold once its dock has ended:
 * no ledger row without its verified file; nothing left in `.partial/` or the copy journal after the
 * sweep; no dock still in a running state. Returns the problems found (empty when all hold).
 */
export async function invariantProblems(station: Station): Promise<string[]> {
  const problems: string[] = [];
  const rows = station.db
    .prepare('SELECT id, archive_path AS archivePath, sha256 FROM recordings WHERE archive_path IS NOT NULL')
    .all() as { id: number; archivePath: string; sha256: string }[];
  for (const row of rows) {
    const file = station.archive.absolutePath(row.archivePath);
    if (!existsSync(file)) problems.push(`recording #${row.id} has no file ${row.archivePath}`);
    else if ((await hashFile(file)) !== row.sha256)
      problems.push(`recording #${row.id} does not match its hash`);
  }
  await station.archive.sweep();
  const partials = await readdir(station.archive.partialDir);
  if (partials.length) problems.push(`partial files left after the sweep: ${partials.join(', ')}`);
  const journal = station.db.prepare('SELECT COUNT(*) FROM copies_in_flight').pluck().get() as number;
  if (journal) problems.push(`${journal} copies still journalled after the sweep`);
  for (const dock of listDocks(station.db, { activeOnly: true, limit: 1000 }))
    problems.push(`dock #${dock.id} left in state ${dock.state}`);
  return problems;
}

/** How many archived originals hold each content hash: after a re-dock, every one exactly once. */
export function archivedCopies(station: Station, hashes: string[]): number[] {
  return hashes.map(
    (sha256) =>
      station.db
        .prepare(
          'SELECT COUNT(*) FROM recordings WHERE sha256 = ? AND duplicate_of IS NULL AND archive_path IS NOT NULL',
        )
        .pluck()
        .get(sha256) as number,
  );
}
