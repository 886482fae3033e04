import { cp, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderDockRoot } from '../src/dock/dock-service.ts';
import { dockSimulatedRecorder, writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { findDock } from '../src/ledger/docks.ts';
import { listRecordings } from '../src/ledger/recordings.ts';
import { type DockStation, startDockStation } from './helpers/dock-station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

// Folders renamed into the station's folder dock behave like volumes: the demo's path, usable
// without root. These tests cover the session policies that do not depend on the kind of volume.
const recorder = (serial: string, hoursAgo: number) => ({
  serial,
  badge: '100234',
  start: new Date(Date.now() - hoursAgo * 3600_000),
  segments: 2,
  segmentSeconds: 2,
  clockOffsetSeconds: 0,
  timezone: 'Asia/Shanghai',
  width: 160,
  height: 120,
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('dock sessions with delete-after-verify and a nearly full recorder', () => {
  let dock: DockStation;
  beforeAll(async () => {
    dock = await startDockStation({ dock: { deleteAfterVerify: true, lowStoragePercent: 100 } });
  });
  afterAll(() => dock.close());

  it('deletes from the recorder only the files whose archive copy was re-read and matched', async () => {
    const folder = folderDockRoot(dock.home);
    const root = path.join(folder, 'DSJ0051');
    const ended = dock.dockEnded(root);
    await dockSimulatedRecorder(folder, 'DSJ0051', recorder('DSJ0051', 2));
    const done = await ended;
    expect(done.state).toBe('done');
    expect(await filesUnder(root)).toEqual(['MISC/readme.txt', 'SIMULATED.REC', 'SYSTEM/DEVICE.TXT']);
    const deletions = dock.station.db
      .prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'source-deleted'")
      .pluck()
      .get();
    expect(deletions).toBe(listRecordings(dock.station.db, { deviceSerial: 'DSJ0051' }).length);
    expect(dock.events).toContainEqual(
      expect.objectContaining({
        name: 'dock.warning',
        payload: expect.objectContaining({ kind: 'low-storage' }),
      }),
    );
  });
});

describe('the same recorder docked twice at once', () => {
  let dock: DockStation;
  let scratch: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dock = await startDockStation();
    scratch = await temporaryFolder('twice');
  });
  afterAll(async () => {
    await dock.close();
    await scratch.remove();
  });

  it('archives each recording once', async () => {
    const content = path.join(scratch.path, 'content');
    await writeSimulatedRecorder(content, recorder('DSJ0061', 3));
    const folder = folderDockRoot(dock.home);
    const roots = ['first', 'second'].map((name) => path.join(folder, name));
    for (const root of roots)
      await cp(content, path.join(folder, `.${path.basename(root)}`), { recursive: true });
    const ended = roots.map((root) => dock.dockEnded(root));
    for (const root of roots) await rename(path.join(folder, `.${path.basename(root)}`), root);
    const outcomes = await Promise.all(ended);
    expect(outcomes.map((outcome) => outcome.state)).toEqual(['done', 'done']);
    const all = listRecordings(dock.station.db, { deviceSerial: 'DSJ0061', includeDuplicates: true });
    const originals = all.filter((recording) => recording.duplicateOf === null);
    expect(originals).toHaveLength(4);
    expect(new Set(originals.map((recording) => recording.sha256)).size).toBe(4);
    const archived = (await filesUnder(dock.station.archive.root)).filter((file) => !file.startsWith('.'));
    expect(archived).toHaveLength(4);
  });
});

describe('a station stopping in the middle of a dock', () => {
  let dock: DockStation;
  beforeAll(async () => {
    dock = await startDockStation();
  });
  afterAll(() => dock.close());

  it('abandons the file in flight, leaves no partial copy and marks the dock interrupted', async () => {
    const folder = folderDockRoot(dock.home);
    const root = path.join(folder, 'DSJ0071');
    const ended = dock.dockEnded(root);
    let stopping: Promise<void> | null = null;
    const stop = dock.station.events.on('file.progress', () => {
      stop();
      stopping = dock.docks.stop();
    });
    await dockSimulatedRecorder(folder, 'DSJ0071', {
      ...recorder('DSJ0071', 4),
      segmentSeconds: 4,
      width: 320,
      height: 240,
    });
    const done = await ended;
    await stopping;
    expect(done.state).toBe('interrupted');
    expect(findDock(dock.station.db, done.dockId)!.detail).toMatch(/shutting down/);
    expect(await readdir(dock.station.archive.partialDir)).toEqual([]);
    expect(dock.station.db.prepare('SELECT COUNT(*) FROM copies_in_flight').pluck().get()).toBe(0);
    expect(listRecordings(dock.station.db, { deviceSerial: 'DSJ0071' })).toHaveLength(0);
  });
});
