import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../src/footage/generate.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { PullableVolume, writeLargeRecording } from './helpers/fault-volume.ts';
import { spawnStation, temporaryFolder } from './helpers/station-cli.ts';

// The field report behind the fault matrix: `station serve` died when a recorder was pulled mid-copy,
// because a read-ahead failed while the copy loop awaited its write. The pull here is real: the
// exFAT FUSE server is killed by pid, so the kernel fails every further read of the open file.
describe('station serve when a recorder is pulled in the middle of a large copy', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let home: string;
  let volume: PullableVolume;
  let daemon: ChildProcess;
  let db: Db;
  let stderr = '';

  beforeAll(async () => {
    scratch = await temporaryFolder('fault-serve');
    home = path.join(scratch.path, 'home');
    const configFile = path.join(scratch.path, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        dock: { mountRoots: [path.join(scratch.path, 'media')], settleSeconds: 0 },
        ingest: { copyChunkBytes: 65536 },
        http: { port: 0 },
        log: { level: 'warn' },
      }),
    );
    const content = path.join(scratch.path, 'content', 'DCIM');
    await mkdir(content, { recursive: true });
    await makeVideo(path.join(content, 'A_0001.MP4'), { seconds: 1, width: 160, height: 120 });
    await writeLargeRecording(path.join(content, 'B_0002.MP4'), 200);
    volume = await PullableVolume.create({
      image: path.join(scratch.path, 'pulled.img'),
      label: 'PULLED',
      content: path.dirname(content),
      staging: path.join(scratch.path, 'staging'),
      mountPoint: path.join(scratch.path, 'media', 'PULLED'),
      megabytes: 300,
    });
    daemon = spawnStation(['serve'], { home, env: { STATION_CONFIG: configFile } });
    daemon.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    // Started once it asks for its first administrator (the last thing start-up does).
    await until(() => stderr.includes('no users yet'));
    db = openDatabase(path.join(home, 'station.db'));
  });

  afterAll(async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    db?.close();
    await volume.destroy();
    await scratch.remove();
  });

  it('keeps running, ends the dock as device-removed and leaves no partial copy', async () => {
    await volume.plugIn();
    const server = await volume.serverPid();
    const partialDir = path.join(home, 'archive', '.partial');
    // Pull as soon as the large file's copy is under way (it copies in about a second).
    await until(async () => {
      for (const name of await readdir(partialDir).catch(() => [] as string[])) {
        const size = (await stat(path.join(partialDir, name)).catch(() => null))?.size ?? 0;
        if (size > 1024 * 1024) return true;
      }
      return false;
    });
    await volume.pull(server);
    await until(
      () =>
        (db.prepare('SELECT state FROM docks ORDER BY id DESC LIMIT 1').pluck().get() as string) ===
          'device-removed' || daemon.exitCode !== null,
      30_000,
    ).catch(() => {});
    await sleep(500);
    expect(stderr).not.toMatch(/unhandled|ENOTCONN: socket/i);
    expect(daemon.exitCode).toBeNull();
    expect(db.prepare('SELECT state FROM docks ORDER BY id DESC LIMIT 1').pluck().get()).toBe(
      'device-removed',
    );
    expect(await readdir(partialDir)).toEqual([]);
    const archived = db.prepare('SELECT source_path FROM recordings').pluck().all();
    expect(archived).toEqual(['DCIM/A_0001.MP4']);
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}
