import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMountTable } from '../src/dock/mount-table.ts';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import { type DockStation, mediaRoot, startDockStation } from './helpers/dock-station.ts';
import { ExfatVolume } from './helpers/exfat-volume.ts';
import { temporaryFolder } from './helpers/station-cli.ts';
import { until } from './helpers/until.ts';

// dock.autoMount for stations without a desktop: a loop device stands in for the USB disk the
// sysfs lister would report.
describe('mounting recorders itself when dock.autoMount is on', () => {
  let dock: DockStation;
  let scratch: { path: string; remove(): Promise<void> };
  let volume: ExfatVolume;
  let candidates: string[] = [];

  beforeAll(async () => {
    scratch = await temporaryFolder('automount');
    const content = path.join(scratch.path, 'content');
    await writeSimulatedRecorder(content, {
      serial: 'DSJ0091',
      badge: '100234',
      start: new Date(Date.now() - 3600_000),
      segments: 1,
      segmentSeconds: 2,
      clockOffsetSeconds: 0,
      timezone: 'Asia/Shanghai',
      width: 160,
      height: 120,
    });
    volume = await ExfatVolume.create(path.join(scratch.path, 'auto.img'), { label: 'AUTOREC' });
    await volume.fill(content, path.join(scratch.path, 'staging'));
    dock = await startDockStation({ dock: { autoMount: true }, autoMountCandidates: async () => candidates });
  });

  afterAll(async () => {
    await dock.close();
    await volume.destroy();
    await scratch.remove();
  });

  it('mounts a new recorder read-only below the first mount root and docks it', async () => {
    const folder = path.join(mediaRoot(dock), `station-${path.basename(volume.loopDevice!)}`);
    const ended = dock.dockEnded(folder);
    candidates = [volume.loopDevice!];
    expect((await ended).state).toBe('done');
    const mount = (await readMountTable()).find((entry) => entry.mountPoint === folder);
    expect(mount?.source).toBe(volume.loopDevice);
    expect(await mountOptions(folder)).toContain('ro');
  });

  it('unmounts what it mounted once the device is gone', async () => {
    const folder = path.join(mediaRoot(dock), `station-${path.basename(volume.loopDevice!)}`);
    candidates = [];
    // The mount point is removed just after the unmount: wait for both, not the first alone.
    await until(
      async () =>
        !(await readMountTable()).some((entry) => entry.mountPoint === folder) && !existsSync(folder),
    );
    expect(existsSync(folder)).toBe(false);
  });
});

async function mountOptions(mountPoint: string): Promise<string[]> {
  const line = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .find((entry) => entry.split(' ')[4] === mountPoint);
  return line?.split(' ')[5].split(',') ?? [];
}
