import { execFileSync } from 'node:child_process';
import { readdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { makeVideo } from '../src/footage/generate.ts';
import { findDock, listDockFiles } from '../src/ledger/docks.ts';
import { listRecordings } from '../src/ledger/recordings.ts';
import { type DockStation, mediaRoot, startDockStation } from './helpers/dock-station.ts';
import { ExfatVolume } from './helpers/exfat-volume.ts';
import { temporaryFolder } from './helpers/station-cli.ts';
import { until } from './helpers/until.ts';

// Real exFAT images on loop devices, mounted under the station's mount root as a desktop would mount
// a recorder in mass-storage mode; `umount -l` plays a pulled cable.
const zone = 'Asia/Shanghai';
const hour = 3600_000;

describe('docking recorders that appear as exFAT volumes', () => {
  let dock: DockStation;
  let scratch: { path: string; remove(): Promise<void> };
  const volumes: ExfatVolume[] = [];

  async function recorderVolume(
    name: string,
    fill: (folder: string) => Promise<unknown>,
  ): Promise<ExfatVolume> {
    const content = path.join(scratch.path, 'content', name);
    await fill(content);
    const volume = await ExfatVolume.create(path.join(scratch.path, `${name}.img`), {
      label: name.slice(0, 11),
    });
    volumes.push(volume);
    await volume.fill(content, path.join(scratch.path, 'staging', name));
    return volume;
  }

  const simulated =
    (serial: string, start: Date, extra: { clockOffsetSeconds?: number; segments?: number } = {}) =>
    (folder: string) =>
      writeSimulatedRecorder(folder, {
        serial,
        badge: '100234',
        start,
        segments: extra.segments ?? 2,
        segmentSeconds: 2,
        gapSeconds: [300],
        clockOffsetSeconds: extra.clockOffsetSeconds ?? 0,
        timezone: zone,
        width: 160,
        height: 120,
      });

  const docked = async (volume: ExfatVolume, name: string) => {
    const mountPoint = path.join(mediaRoot(dock), name);
    const ended = dock.dockEnded(mountPoint);
    await volume.mount(mountPoint);
    return ended;
  };

  beforeAll(async () => {
    scratch = await temporaryFolder('exfat');
    dock = await startDockStation({ dock: { maxParallel: 2, setClock: true } });
  });

  // Loop devices are few: each test gives its volumes back.
  afterEach(async () => {
    for (const volume of volumes.splice(0)) await volume.destroy();
  });

  afterAll(async () => {
    await dock.close();
    await scratch.remove();
  });

  it('copies every recording of one docked recorder and records its storage and gaps', async () => {
    const volume = await recorderVolume('ONE', simulated('DSJ0001', new Date(Date.now() - 2 * hour)));
    const done = await docked(volume, 'ONE');
    expect(done.state).toBe('done');
    const row = findDock(dock.station.db, done.dockId)!;
    expect(row).toMatchObject({
      driver: 'simulated',
      deviceSerial: 'DSJ0001',
      volumeLabel: 'ONE',
      filesDone: 4,
    });
    expect(row.totalBytes).toBeGreaterThan(60_000_000);
    expect(row.freeBytes).toBeGreaterThan(0);
    const recordings = listRecordings(dock.station.db, { deviceSerial: 'DSJ0001' });
    expect(recordings.map((recording) => recording.kind).sort()).toEqual([
      'audio',
      'photo',
      'video',
      'video',
    ]);
    const gaps = dock.station.db.prepare('SELECT gap_seconds FROM interruptions').pluck().all();
    expect(gaps).toEqual([300]);
    const names = dock.events.filter(
      (event) => (event.payload as { dockId?: number }).dockId === done.dockId,
    );
    expect(names.map((event) => event.name)).toEqual(
      expect.arrayContaining(['dock.detected', 'dock.identified', 'file.progress', 'file.done', 'dock.done']),
    );
  });

  it('docks several recorders at once, no more copying together than dock.maxParallel', async () => {
    const serials = ['DSJ0011', 'DSJ0012', 'DSJ0013'];
    const prepared = await Promise.all(
      serials.map((serial, index) =>
        recorderVolume(serial, simulated(serial, new Date(Date.now() - (3 + index) * hour))),
      ),
    );
    let copying = 0;
    let mostAtOnce = 0;
    const stopIdentified = dock.station.events.on('dock.identified', () => {
      copying++;
      mostAtOnce = Math.max(mostAtOnce, copying);
    });
    const stopDone = dock.station.events.on('dock.done', () => copying--);
    const outcomes = await Promise.all(prepared.map((volume, index) => docked(volume, serials[index])));
    stopIdentified();
    stopDone();
    expect(outcomes.map((outcome) => outcome.state)).toEqual(['done', 'done', 'done']);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    // Identical photos and audio notes (the generator's test pattern) are archived once, listed per recorder.
    for (const serial of serials) {
      expect(listRecordings(dock.station.db, { deviceSerial: serial, includeDuplicates: true })).toHaveLength(
        4,
      );
    }
  });

  it('discards the file in flight when the recorder is pulled and copies only the rest at the next dock', async () => {
    const volume = await recorderVolume(
      'PULLED',
      simulated('DSJ0021', new Date(Date.now() - 6 * hour), { segments: 3 }),
    );
    const mountPoint = path.join(mediaRoot(dock), 'PULLED');
    const stopPulling = dock.station.events.on('file.progress', (progress) => {
      if (!progress.sourcePath.endsWith('_0002.MP4')) return;
      stopPulling();
      execFileSync('umount', ['-l', mountPoint]);
    });
    const first = await docked(volume, 'PULLED');
    volume.mountPoint = null;
    expect(first.state).toBe('device-removed');
    expect(dock.events.some((event) => event.name === 'device.removed')).toBe(true);
    const archived = listRecordings(dock.station.db, { deviceSerial: 'DSJ0021' });
    expect(archived.map((recording) => path.basename(recording.sourcePath))).toEqual([
      expect.stringMatching(/_0001\.MP4$/),
    ]);
    expect(await readdir(dock.station.archive.partialDir)).toEqual([]);
    expect(dock.station.db.prepare('SELECT COUNT(*) FROM copies_in_flight').pluck().get()).toBe(0);

    // A recorder plugged straight back in must first be seen gone, or its return looks like no change.
    await until(() => !dock.docks.watcher.current().some((seen) => seen.root === mountPoint));
    const second = await docked(volume, 'PULLED');
    expect(second.state).toBe('done');
    const files = listDockFiles(dock.station.db, second.dockId).filter((file) => file.recordingId);
    expect(
      files.filter((file) => file.state === 'known').map((file) => path.basename(file.sourcePath)),
    ).toEqual([expect.stringMatching(/_0001\.MP4$/)]);
    const all = listRecordings(dock.station.db, { deviceSerial: 'DSJ0021', includeDuplicates: true });
    expect(all).toHaveLength(5);
    expect(new Set(all.map((recording) => recording.sha256)).size).toBe(5);
  });

  it('ends a dock with nothing to copy as done when the volume holds no recordings', async () => {
    const volume = await recorderVolume('EMPTY', async () => {
      execFileSync('mkdir', ['-p', path.join(scratch.path, 'content', 'EMPTY', 'DCIM')]);
    });
    const done = await docked(volume, 'EMPTY');
    expect(done).toMatchObject({ state: 'done', filesDone: 0, filesTotal: 0 });
    expect(findDock(dock.station.db, done.dockId)!.driver).toBe('generic');
  });

  it('takes an unknown recorder with the generic driver and flags times its clock put in the future', async () => {
    const ahead = new Date(Date.now() + 5 * hour);
    const volume = await recorderVolume('ODDCAM', async (folder) => {
      const file = path.join(folder, 'VIDEO', `VID_${stamp(ahead)}.mp4`);
      await makeVideo(file, { seconds: 1, width: 160, height: 120 });
      await utimes(file, ahead, ahead);
    });
    const done = await docked(volume, 'ODDCAM');
    expect(done.state).toBe('done');
    const row = findDock(dock.station.db, done.dockId)!;
    expect(row.driver).toBe('generic');
    expect(row.clockOffsetSeconds).toBeNull();
    const recording = listRecordings(dock.station.db).find((candidate) => candidate.dockId === done.dockId)!;
    expect(recording.timeFlags).toContain('in-future');
  });

  it('measures a recorder clock three hours fast, corrects the recording times by it and sets the clock', async () => {
    const trueStart = new Date(Math.floor((Date.now() - 8 * hour) / 1000) * 1000);
    const volume = await recorderVolume(
      'FAST',
      simulated('DSJ0031', trueStart, { clockOffsetSeconds: 3 * 3600 }),
    );
    const done = await docked(volume, 'FAST');
    expect(done.state).toBe('done');
    const offset = findDock(dock.station.db, done.dockId)!.clockOffsetSeconds!;
    expect(Math.abs(offset - 3 * 3600)).toBeLessThanOrEqual(2);
    const first = listRecordings(dock.station.db, { deviceSerial: 'DSJ0031' }).find(
      (r) => r.kind === 'video',
    )!;
    expect(Math.abs(first.startMs! - trueStart.getTime())).toBeLessThanOrEqual(2000);
    expect(first.timeFlags).toContain('clock-corrected');
    const marker = JSON.parse(await readFile(path.join(volume.mountPoint!, 'SIMULATED.REC'), 'utf8'));
    expect(Math.abs(marker.clockOffsetSeconds)).toBeLessThanOrEqual(2);
    expect(dock.events).toContainEqual(
      expect.objectContaining({
        name: 'dock.warning',
        payload: expect.objectContaining({ kind: 'clock-set' }),
      }),
    );
  });
});

function stamp(instant: Date): string {
  const wall = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => wall.find((piece) => piece.type === type)!.value;
  return `${part('year')}${part('month')}${part('day')}_${part('hour')}${part('minute')}${part('second')}`;
}
