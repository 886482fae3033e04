import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Db, openDatabase, writeDurably } from '../src/ledger/database.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

// The fdatasyncs themselves are real; the spy only records them, and holds one back where a test says.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ledger(): Promise<Db> {
  const folder = await temporaryFolder('durability');
  const db = openDatabase(path.join(folder.path, 'station.db'));
  db.exec('CREATE TABLE scratch (n INTEGER)');
  cleanups.push(() => folder.remove());
  cleanups.push(() => void db.close());
  return db;
}

/** Records every fdatasync of the process as 'flush' / 'flushed'; `hold` keeps the next one from starting. */
async function watchFlushes(events: string[]) {
  const probe = await open(import.meta.filename, 'r');
  const fileHandle = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
  await probe.close();
  const datasync = fileHandle.datasync;
  let held: Promise<void> | null = null;
  const spy = vi.spyOn(fileHandle, 'datasync').mockImplementation(async function (this: unknown) {
    events.push('flush');
    if (held) await held;
    await datasync.call(this);
    events.push('flushed');
  });
  return {
    spy,
    hold(): () => void {
      let release!: () => void;
      held = new Promise((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
  };
}

function commit(db: Db, events: string[], n: number): Promise<void> {
  return writeDurably(db, () => {
    db.prepare('INSERT INTO scratch (n) VALUES (?)').run(n);
    events.push(`commit ${n}`);
  }).then(() => void events.push(`durable ${n}`));
}

describe('commits that wait for the disk off the main thread', () => {
  it('counts a commit durable only after a flush of the WAL that began after it; commits meanwhile share the next', async () => {
    const db = await ledger();
    const events: string[] = [];
    const flushes = await watchFlushes(events);
    const release = flushes.hold();
    const first = commit(db, events, 1);
    await vi.waitFor(() => expect(events).toContain('flush'));
    // Written while the first flush is under way: that flush may not hold them.
    const later = [2, 3, 4].map((n) => commit(db, events, n));
    release();
    await Promise.all([first, ...later]);
    expect(events).toEqual([
      'commit 1',
      'flush',
      'commit 2',
      'commit 3',
      'commit 4',
      'flushed',
      'durable 1',
      'flush',
      'flushed',
      'durable 2',
      'durable 3',
      'durable 4',
    ]);
    expect(flushes.spy).toHaveBeenCalledTimes(2);
    expect(db.prepare('SELECT COUNT(*) FROM scratch').pluck().get()).toBe(4);
  });

  it('fails the commits waiting on a flush the disk refuses, and the next commit flushes anew', async () => {
    const db = await ledger();
    const events: string[] = [];
    const flushes = await watchFlushes(events);
    flushes.spy.mockImplementationOnce(async () => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    });
    await expect(commit(db, events, 1)).rejects.toMatchObject({ code: 'EIO' });
    await commit(db, events, 2);
    expect(events.slice(-3)).toEqual(['flush', 'flushed', 'durable 2']);
  });

  it('leaves a ledger in memory to commit as before, with nothing to flush', async () => {
    const db = openDatabase(':memory:');
    cleanups.push(() => void db.close());
    db.exec('CREATE TABLE scratch (n INTEGER)');
    const events: string[] = [];
    const flushes = await watchFlushes(events);
    await commit(db, events, 1);
    expect(events).toEqual(['commit 1', 'durable 1']);
    expect(flushes.spy).not.toHaveBeenCalled();
  });
});
