import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { ExfatVolume } from './helpers/exfat-volume.ts';
import { parseJson, runStation, spawnStation, temporaryFolder } from './helpers/station-cli.ts';

// `station serve` as the real daemon process: killed with SIGKILL in the middle of a dock, restarted,
// stopped with SIGTERM; `station demo` and `station docks` against it.
describe('station serve', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let home: string;
  let env: Record<string, string>;
  let mountPoint: string;
  let volume: ExfatVolume;
  let db: Db;
  let daemon: ChildProcess | null = null;
  let stderr = '';

  const startDaemon = () => {
    const child = spawnStation(['serve'], { home, env });
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    daemon = child;
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  const docksOf = (root: string) =>
    db.prepare('SELECT id, state FROM docks WHERE source_path = ? ORDER BY id').all(root) as {
      id: number;
      state: string;
    }[];

  beforeAll(async () => {
    scratch = await temporaryFolder('serve');
    home = path.join(scratch.path, 'home');
    const configFile = path.join(scratch.path, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        dock: { mountRoots: [path.join(scratch.path, 'media')], settleSeconds: 0, simulatedRecorders: true },
        ingest: { copyChunkBytes: 65536 },
        http: { port: 0 },
        log: { level: 'warn' },
      }),
    );
    env = { STATION_CONFIG: configFile };
    const content = path.join(scratch.path, 'content');
    await writeSimulatedRecorder(content, {
      serial: 'DSJ0081',
      badge: '100234',
      start: new Date(Date.now() - 5 * 3600_000),
      segments: 4,
      segmentSeconds: 3,
      clockOffsetSeconds: 0,
      timezone: 'Asia/Shanghai',
      width: 320,
      height: 240,
    });
    volume = await ExfatVolume.create(path.join(scratch.path, 'serve.img'), { label: 'SERVEREC' });
    await volume.fill(content, path.join(scratch.path, 'staging'));
    mountPoint = path.join(scratch.path, 'media', 'SERVEREC');
    db = openDatabase(path.join(home, 'station.db'));
  });

  afterAll(async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGKILL');
      await exited(daemon);
    }
    db.close();
    await volume.destroy();
    await scratch.remove();
  });

  it('killed with SIGKILL mid-dock leaves no partial and no ledger row, and the restart completes the dock', async () => {
    const first = startDaemon();
    await volume.mount(mountPoint);
    const inFlight = await until(
      () =>
        db.prepare('SELECT source_path FROM copies_in_flight LIMIT 1').pluck().get() as string | undefined,
    );
    first.kill('SIGKILL');
    await exited(first);
    const relative = path.relative(mountPoint, inFlight).split(path.sep).join('/');
    expect(db.prepare('SELECT COUNT(*) FROM recordings WHERE source_path = ?').pluck().get(relative)).toBe(0);

    const second = startDaemon();
    const finished = await until(() => docksOf(mountPoint).find((dock) => dock.state === 'done'));
    expect(docksOf(mountPoint).map((dock) => dock.state)).toEqual(['interrupted', 'done']);
    expect(await readdir(path.join(home, 'archive', '.partial'))).toEqual([]);
    const recordings = db
      .prepare(
        'SELECT source_path AS sourcePath, archive_path AS archivePath FROM recordings WHERE duplicate_of IS NULL',
      )
      .all() as { sourcePath: string; archivePath: string }[];
    expect(recordings.map((recording) => recording.sourcePath)).toContain(relative);
    expect(new Set(recordings.map((recording) => recording.sourcePath)).size).toBe(recordings.length);
    expect(recordings).toHaveLength(6);
    expect(finished.id).toBeGreaterThan(docksOf(mountPoint)[0].id);
    expect(second.exitCode).toBeNull();
  });

  it('lists current and recent docks with station docks --json', async () => {
    const result = await runStation(['docks', '--json'], { home, env });
    expect(result.code).toBe(0);
    const docks = parseJson<{
      current: unknown[];
      recent: { sourcePath: string; state: string; driver: string }[];
    }>(result);
    expect(docks.current).toEqual([]);
    expect(docks.recent.map((dock) => dock.state)).toEqual(['done', 'interrupted']);
    expect(docks.recent[0]).toMatchObject({ sourcePath: mountPoint, driver: 'simulated' });
  });

  it('docks a simulated recorder made by station demo', async () => {
    const result = await runStation(['demo', '--segments', '2', '--json'], { home, env });
    expect(result.code, result.stderr).toBe(0);
    const demo = parseJson<{ root: string; dock: { state: string; driver: string; filesDone: number } }>(
      result,
    );
    expect(demo.dock).toMatchObject({ state: 'done', driver: 'simulated', filesDone: 4 });
    expect(demo.root.startsWith(path.join(home, 'folder-docks'))).toBe(true);
  });

  it('stops cleanly on SIGTERM, having warned once that USB is unavailable where it is', async () => {
    const running = daemon!;
    running.kill('SIGTERM');
    expect(await exited(running)).toBe(0);
    const warnings = stderr.match(/USB hotplug unavailable/g) ?? [];
    // Two daemon runs so far: at most one warning each.
    expect(warnings.length).toBe(existsSync('/dev/bus/usb') ? 0 : 2);
  });
});

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
