import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { ExfatVolume } from './helpers/exfat-volume.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';
import { type ServeRun, ServeStation } from './helpers/station-serve.ts';
import { until } from './helpers/until.ts';

// `station serve` as the real daemon process: killed with SIGKILL in the middle of a dock, restarted,
// stopped with SIGTERM; `station demo` and `station docks` against it.
describe('station serve', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let serve: ServeStation;
  let mountPoint: string;
  let volume: ExfatVolume;
  let db: Db;
  const runs: ServeRun[] = [];

  const startDaemon = () => {
    const run = serve.start();
    runs.push(run);
    return run;
  };
  const docksOf = (root: string) => serve.docksOf(db, root);

  beforeAll(async () => {
    scratch = await temporaryFolder('serve');
    serve = await ServeStation.create(scratch.path);
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
    mountPoint = path.join(serve.mediaRoot, 'SERVEREC');
    db = openDatabase(path.join(serve.home, 'station.db'));
  });

  afterAll(async () => {
    await serve?.killAll();
    db?.close();
    await volume?.destroy();
    await scratch?.remove();
  });

  it('killed with SIGKILL mid-dock leaves no partial and no ledger row, and the restart completes the dock', async () => {
    const first = startDaemon();
    await volume.mount(mountPoint);
    const inFlight = await until(
      () =>
        db.prepare('SELECT source_path FROM copies_in_flight LIMIT 1').pluck().get() as string | undefined,
      { everyMs: 5 },
    );
    first.child.kill('SIGKILL');
    await first.exited();
    const relative = path.relative(mountPoint, inFlight).split(path.sep).join('/');
    expect(db.prepare('SELECT COUNT(*) FROM recordings WHERE source_path = ?').pluck().get(relative)).toBe(0);

    const second = startDaemon();
    const finished = await until(() => docksOf(mountPoint).find((dock) => dock.state === 'done'));
    expect(docksOf(mountPoint).map((dock) => dock.state)).toEqual(['interrupted', 'done']);
    expect(await readdir(path.join(serve.home, 'archive', '.partial'))).toEqual([]);
    const recordings = db
      .prepare(
        'SELECT source_path AS sourcePath, archive_path AS archivePath FROM recordings WHERE duplicate_of IS NULL',
      )
      .all() as { sourcePath: string; archivePath: string }[];
    expect(recordings.map((recording) => recording.sourcePath)).toContain(relative);
    expect(new Set(recordings.map((recording) => recording.sourcePath)).size).toBe(recordings.length);
    expect(recordings).toHaveLength(6);
    expect(finished.id).toBeGreaterThan(docksOf(mountPoint)[0].id);
    expect(second.child.exitCode).toBeNull();
  });

  it('lists current and recent docks with station docks --json', async () => {
    const result = await runStation(['docks', '--json'], { home: serve.home, env: serve.env });
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
    const result = await runStation(['demo', '--segments', '2', '--json'], {
      home: serve.home,
      env: serve.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const demo = parseJson<{ root: string; dock: { state: string; driver: string; filesDone: number } }>(
      result,
    );
    expect(demo.dock).toMatchObject({ state: 'done', driver: 'simulated', filesDone: 4 });
    expect(demo.root.startsWith(path.join(serve.home, 'folder-docks'))).toBe(true);
  });

  it('stops cleanly on SIGTERM, having warned once that USB is unavailable where it is', async () => {
    const running = runs.at(-1)!;
    running.child.kill('SIGTERM');
    expect((await running.exited()).code).toBe(0);
    const warnings = runs.flatMap((run) => run.stderr.match(/USB hotplug unavailable/g) ?? []);
    // Two daemon runs so far: at most one warning each.
    expect(warnings.length).toBe(existsSync('/dev/bus/usb') ? 0 : 2);
  });
});
