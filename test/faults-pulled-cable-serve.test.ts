import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../src/footage/generate.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { PullableVolume, writeLargeRecording } from './helpers/fault-volume.ts';
import { temporaryFolder } from './helpers/station-cli.ts';
import { type ServeRun, ServeStation } from './helpers/station-serve.ts';
import { until } from './helpers/until.ts';

// The field report behind the fault matrix: `station serve` died when a recorder was pulled mid-copy,
// because a read-ahead failed while the copy loop awaited its write. The pull here is real: the
// exFAT FUSE server is killed by pid, so the kernel fails every further read of the open file.
describe('station serve when a recorder is pulled in the middle of a large copy', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let serve: ServeStation;
  let volume: PullableVolume;
  let daemon: ServeRun;
  let db: Db;

  beforeAll(async () => {
    scratch = await temporaryFolder('fault-serve');
    serve = await ServeStation.create(scratch.path);
    const content = path.join(scratch.path, 'content', 'DCIM');
    await mkdir(content, { recursive: true });
    await makeVideo(path.join(content, 'A_0001.MP4'), { seconds: 1, width: 160, height: 120 });
    await writeLargeRecording(path.join(content, 'B_0002.MP4'), 200);
    volume = await PullableVolume.create({
      image: path.join(scratch.path, 'pulled.img'),
      label: 'PULLED',
      content: path.dirname(content),
      staging: path.join(scratch.path, 'staging'),
      mountPoint: path.join(serve.mediaRoot, 'PULLED'),
      megabytes: 300,
    });
    daemon = serve.start();
    await daemon.started();
    db = openDatabase(path.join(serve.home, 'station.db'));
  });

  afterAll(async () => {
    await serve?.killAll();
    db?.close();
    await volume?.destroy();
    await scratch?.remove();
  });

  it('keeps running, ends the dock as device-removed and leaves no partial copy', async () => {
    await volume.plugIn();
    const server = await volume.serverPid();
    const partialDir = path.join(serve.home, 'archive', '.partial');
    // Pull as soon as the large file's copy is under way (it copies in about a second).
    await until(
      async () => {
        for (const name of await readdir(partialDir).catch(() => [] as string[])) {
          const size = (await stat(path.join(partialDir, name)).catch(() => null))?.size ?? 0;
          if (size > 1024 * 1024) return true;
        }
        return false;
      },
      { timeoutMs: 120_000, everyMs: 10 },
    );
    await volume.pull(server);
    await until(
      () =>
        (db.prepare('SELECT state FROM docks ORDER BY id DESC LIMIT 1').pluck().get() as string) ===
          'device-removed' || daemon.child.exitCode !== null,
      { timeoutMs: 30_000, everyMs: 10 },
    ).catch(() => {});
    await sleep(500);
    expect(daemon.stderr).not.toMatch(/unhandled|ENOTCONN: socket/i);
    expect(daemon.child.exitCode).toBeNull();
    expect(db.prepare('SELECT state FROM docks ORDER BY id DESC LIMIT 1').pluck().get()).toBe(
      'device-removed',
    );
    expect(await readdir(partialDir)).toEqual([]);
    const archived = db.prepare('SELECT source_path FROM recordings').pluck().all();
    expect(archived).toEqual(['DCIM/A_0001.MP4']);
  });
});
