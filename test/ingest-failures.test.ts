import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../src/archive/archive.ts';
import { DiskFullError } from '../src/archive/copy-file.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { makeVideo } from '../src/footage/generate.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import {
  parseJson,
  repoRoot,
  runStation,
  spawnStation,
  stationCommand,
  temporaryFolder,
} from './helpers/station-cli.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function writeRandomFile(file: string, megabytes: number): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < megabytes; index++) {
    chunk.writeUInt32LE(index, 0);
    chunk.fill(index % 251, 4, 4096);
    await handle.write(chunk);
  }
  await handle.close();
}

function ledgerRows(home: string): number {
  const db = new Database(path.join(home, 'station.db'), { readonly: true });
  const count = db.prepare('SELECT COUNT(*) FROM recordings').pluck().get() as number;
  db.close();
  return count;
}

const partialFiles = (home: string) => readdirSync(path.join(home, 'archive', '.partial'));

describe('ingest under failure', () => {
  let work: { path: string; remove(): Promise<void> };
  const mounts: string[] = [];

  beforeAll(async () => {
    work = await temporaryFolder('failures');
  });
  afterAll(async () => {
    for (const mount of mounts) await run('umount', ['-l', mount]).catch(() => {});
    await work.remove();
  });

  it('leaves no partial file and no ledger row when killed with SIGKILL mid-copy, and the rerun completes', async () => {
    const source = path.join(work.path, 'kill-source');
    const home = path.join(work.path, 'kill-home');
    mkdirSync(source);
    await writeRandomFile(path.join(source, 'big.mp4'), 320);
    const child = spawnStation(['ingest', source], { home });
    const partialDir = path.join(home, 'archive', '.partial');
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (existsSync(partialDir) && readdirSync(partialDir).length > 0) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error('ingest finished before it could be killed'));
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(ledgerRows(home)).toBe(0);

    const rerun = parseJson<{ state: string; recordings: unknown[] }>(
      await runStation(['ingest', source, '--json'], { home }),
    );
    expect(rerun.state).toBe('done');
    expect(rerun.recordings).toHaveLength(1);
    expect(partialFiles(home)).toEqual([]);
    expect((await runStation(['verify'], { home })).code).toBe(0);
  });

  it('discards the copy and reports the file when the source shrinks during the copy', async () => {
    const source = path.join(work.path, 'shrink-source');
    mkdirSync(source);
    const file = path.join(source, 'growing.mp4');
    await writeRandomFile(file, 96);
    const station = await openStation({
      env: { STATION_HOME: path.join(work.path, 'shrink-home') },
      logger: silentLogger,
    });
    station.events.on('file.progress', () => truncateSync(file, 1024));
    const report = await dockFolder(station, { sourceRoot: source, origin: 'test' });
    expect(report.recordings).toEqual([]);
    expect(report.skipped.find((entry) => entry.sourcePath === 'growing.mp4')?.reason).toMatch(
      /changed or vanished/,
    );
    expect(readdirSync(station.archive.partialDir)).toEqual([]);
    station.close();
  });

  it('marks the dock device-removed when the whole source disappears mid-copy', async () => {
    const source = path.join(work.path, 'pulled-source');
    mkdirSync(source);
    await writeRandomFile(path.join(source, 'a.mp4'), 96);
    await writeRandomFile(path.join(source, 'b.mp4'), 8);
    const station = await openStation({
      env: { STATION_HOME: path.join(work.path, 'pulled-home') },
      logger: silentLogger,
    });
    let pulled = false;
    station.events.on('file.progress', () => {
      if (!pulled) rmSync(source, { recursive: true, force: true });
      pulled = true;
    });
    const report = await dockFolder(station, { sourceRoot: source, origin: 'test' });
    expect(report.state).toBe('device-removed');
    expect(report.recordings).toEqual([]);
    expect(readdirSync(station.archive.partialDir)).toEqual([]);
    station.close();
  });

  it.runIf(isRoot)(
    'stops with a clear message and nothing half-done when the archive disk is full',
    async () => {
      const home = path.join(work.path, 'full-home');
      mkdirSync(home);
      await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', home]);
      mounts.push(home);
      const source = path.join(work.path, 'full-source');
      mkdirSync(source);
      await makeVideo(path.join(source, '0001.mp4'), { seconds: 2 });
      await writeRandomFile(path.join(source, '0002.mp4'), 24);
      const config = path.join(work.path, 'no-reserve.json');
      writeFileSync(config, JSON.stringify({ archive: { minFreeBytes: 0 } }));
      const result = await runStation(['ingest', source, '--json'], {
        home,
        env: { STATION_CONFIG: config },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/archive disk is full/);
      const report = parseJson<{ state: string; recordings: unknown[]; skipped: { reason: string }[] }>(
        result,
      );
      expect(report.state).toBe('failed');
      expect(report.recordings).toHaveLength(1);
      expect(report.skipped.some((entry) => /disk is full/.test(entry.reason))).toBe(true);
      expect(partialFiles(home)).toEqual([]);
      expect(ledgerRows(home)).toBe(1);
    },
  );

  it.runIf(isRoot)(
    'turns ENOSPC during a copy into a disk-full error and removes the partial file',
    async () => {
      const archiveRoot = path.join(work.path, 'tiny-archive');
      mkdirSync(archiveRoot);
      await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', archiveRoot]);
      mounts.push(archiveRoot);
      const big = path.join(work.path, 'eight-megabytes.mp4');
      await writeRandomFile(big, 8);
      const db = openDatabase(path.join(work.path, 'tiny.db'));
      const archive = new Archive(archiveRoot, db);
      await archive.prepare();
      await expect(archive.copyIn(big, { chunkBytes: 1024 * 1024 })).rejects.toBeInstanceOf(DiskFullError);
      expect(readdirSync(archive.partialDir)).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) FROM copies_in_flight').pluck().get()).toBe(0);
      db.close();
    },
  );

  it.runIf(isRoot)('reports an unreadable file and archives the rest', async () => {
    const source = path.join(work.path, 'locked-source');
    const home = path.join(work.path, 'locked-home');
    mkdirSync(source);
    mkdirSync(home);
    await makeVideo(path.join(source, 'open.mp4'), { seconds: 2 });
    writeFileSync(path.join(source, 'locked.mp4'), 'secret');
    chmodSync(path.join(source, 'locked.mp4'), 0o000);
    // Root reads everything, so the station runs without the capabilities that let root ignore file
    // permissions, as an ordinary station account would.
    const { stdout } = await run(
      'setpriv',
      ['--bounding-set', '-dac_override,-dac_read_search', ...stationCommand, 'ingest', source, '--json'],
      { cwd: repoRoot, env: { ...process.env, STATION_HOME: home } },
    ).catch((error) => error);
    const report = JSON.parse(stdout) as {
      recordings: { sourcePath: string }[];
      skipped: { sourcePath: string; reason: string }[];
    };
    expect(report.recordings.map((recording) => recording.sourcePath)).toEqual(['open.mp4']);
    expect(report.skipped.find((entry) => entry.sourcePath === 'locked.mp4')?.reason).toMatch(/EACCES/);
  });

  it('sweeps leftovers of a stopped process at start-up but never touches recorded files', async () => {
    const home = path.join(work.path, 'sweep-home');
    const db = openDatabase(path.join(home, 'station.db'));
    const archive = new Archive(path.join(home, 'archive'), db);
    await archive.prepare();
    writeFileSync(path.join(archive.partialDir, 'orphan.mp4'), 'half a copy');
    db.prepare(
      'INSERT INTO copies_in_flight (partial_path, final_path, source_path, started_at) VALUES (?, ?, ?, ?)',
    ).run(
      path.join(archive.partialDir, 'gone.mp4'),
      '2026-11-26/unassigned/placed-but-unrecorded.mp4',
      '/src/x.mp4',
      new Date().toISOString(),
    );
    mkdirSync(path.join(home, 'archive', '2026-11-26', 'unassigned'), { recursive: true });
    writeFileSync(path.join(home, 'archive', '2026-11-26', 'unassigned', 'placed-but-unrecorded.mp4'), 'x');
    const { removed } = await archive.sweep();
    expect(removed.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(archive.partialDir)).toEqual([]);
    expect(
      existsSync(path.join(home, 'archive', '2026-11-26', 'unassigned', 'placed-but-unrecorded.mp4')),
    ).toBe(false);
    db.close();
  });
});
