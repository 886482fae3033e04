import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeAudio,
  makePhoto,
  makeSampleRecorder,
  makeVideo,
  truncateFile,
  wallClockStamp,
  zeroFillRegion,
} from '../src/footage/generate.ts';
import { mediaKindOf } from '../src/media/media-kind.ts';
import { probe } from '../src/media/probe.ts';

const timeoutMs = 60_000;
let folder: string;
const file = (name: string) => path.join(folder, name);
const probeFile = (name: string) => probe(file(name), { timeoutMs });

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-footage-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('makeVideo', () => {
  it('makes an H.264 MP4 with sound of the requested length, size, frame rate and creation time', async () => {
    await makeVideo(file('clip.mp4'), {
      seconds: 4,
      width: 352,
      height: 288,
      fps: 30,
      creationTime: '2025-03-01T00:30:00Z',
    });
    const probed = await probeFile('clip.mp4');
    expect(probed.video).toEqual({ codec: 'h264', width: 352, height: 288, frameRate: 30 });
    expect(probed.audio?.codec).toBe('aac');
    expect(probed.durationSeconds).toBeCloseTo(4, 0);
    expect(probed.creationTime).toBe('2025-03-01T00:30:00.000000Z');
  });

  it.each([
    ['hevc.mp4', 'hevc', 'hevc'],
    ['mjpeg.mov', 'mjpeg', 'mjpeg'],
    ['default.avi', undefined, 'mpeg4'],
    ['default.ts', undefined, 'h264'],
  ] as const)('makes %s with the %s codec (ffprobe: %s)', async (name, codec, expected) => {
    await makeVideo(file(name), { seconds: 2, codec });
    const probed = await probeFile(name);
    expect(probed.ok).toBe(true);
    expect(probed.video?.codec).toBe(expected);
    expect(probed.audio).not.toBeNull();
  });

  it('leaves out the sound when asked', async () => {
    await makeVideo(file('silent.mp4'), { seconds: 2, audio: false });
    expect((await probeFile('silent.mp4')).audio).toBeNull();
  });

  it('puts the MP4 index before the media data only for faststart', async () => {
    await makeVideo(file('faststart.mp4'), { seconds: 2, faststart: true });
    await makeVideo(file('index-at-end.mp4'), { seconds: 2 });
    const order = async (name: string) => {
      const bytes = await readFile(file(name));
      return bytes.indexOf('moov') < bytes.indexOf('mdat') ? 'moov first' : 'mdat first';
    };
    expect(await order('faststart.mp4')).toBe('moov first');
    expect(await order('index-at-end.mp4')).toBe('mdat first');
  });

  it('refuses a container it cannot make', async () => {
    await expect(makeVideo(file('clip.webm'), { seconds: 1 })).rejects.toThrow(/unsupported container/);
  });
});

describe('makeAudio and makePhoto', () => {
  it.each([
    ['note.wav', 'pcm_s16le'],
    ['note.mp3', 'mp3'],
    ['note.m4a', 'aac'],
  ])('makes %s as %s audio of the requested length', async (name, codec) => {
    await makeAudio(file(name), { seconds: 3 });
    const probed = await probeFile(name);
    expect(probed.video).toBeNull();
    expect(probed.audio?.codec).toBe(codec);
    expect(probed.durationSeconds).toBeGreaterThan(2.5);
    expect(probed.durationSeconds).toBeLessThan(3.5);
  });

  it('makes a JPEG of the requested size', async () => {
    await makePhoto(file('photo.jpg'), { width: 800, height: 600 });
    const probed = await probeFile('photo.jpg');
    expect(probed.video).toMatchObject({ codec: 'mjpeg', width: 800, height: 600 });
    const bytes = await readFile(file('photo.jpg'));
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});

describe('damage helpers', () => {
  it('truncateFile keeps the given fraction of the bytes', async () => {
    await writeFile(file('bytes.bin'), Buffer.alloc(1000, 7));
    await truncateFile(file('bytes.bin'), 0.25);
    expect((await stat(file('bytes.bin'))).size).toBe(250);
  });

  it('zeroFillRegion zeroes exactly the region between the fractions and leaves the rest', async () => {
    await writeFile(file('region.bin'), Buffer.alloc(200_000, 0xab));
    await zeroFillRegion(file('region.bin'), 0.25, 0.75);
    const bytes = await readFile(file('region.bin'));
    expect(bytes.length).toBe(200_000);
    expect(bytes.subarray(0, 50_000).every((byte) => byte === 0xab)).toBe(true);
    expect(bytes.subarray(50_000, 150_000).every((byte) => byte === 0)).toBe(true);
    expect(bytes.subarray(150_000).every((byte) => byte === 0xab)).toBe(true);
  });

  it('damages a real video so that it differs from the original only in the region', async () => {
    await copyFile(file('clip.mp4'), file('zeroed.mp4'));
    await zeroFillRegion(file('zeroed.mp4'), 0.5, 0.6);
    const [original, zeroed] = await Promise.all([readFile(file('clip.mp4')), readFile(file('zeroed.mp4'))]);
    const from = Math.floor(original.length * 0.5);
    const to = Math.floor(original.length * 0.6);
    expect(zeroed.subarray(0, from).equals(original.subarray(0, from))).toBe(true);
    expect(zeroed.subarray(to).equals(original.subarray(to))).toBe(true);
  });
});

describe('makeSampleRecorder', () => {
  const start = new Date('2025-03-01T00:30:00.400Z'); // 08:30:00 in Asia/Shanghai
  let root: string;
  let volume: Awaited<ReturnType<typeof makeSampleRecorder>>;

  beforeAll(async () => {
    root = file('recorder');
    volume = await makeSampleRecorder(root, {
      serial: 'A123456',
      badge: '012345',
      start,
      segments: 3,
      segmentSeconds: 3,
      gapSeconds: [0, 20],
      timezone: 'Asia/Shanghai',
    });
  });

  it('names files SERIAL_BADGE_local-start_SEQUENCE in DCIM, RECORD and PHOTO, as recorders do', () => {
    expect(volume.recordings.map((recording) => recording.relativePath)).toEqual([
      'DCIM/100MEDIA/A123456_012345_20250301083000_0001.MP4',
      'DCIM/100MEDIA/A123456_012345_20250301083003_0002.MP4',
      'DCIM/100MEDIA/A123456_012345_20250301083026_0003.MP4',
      'RECORD/A123456_012345_20250301083059_0004.WAV',
      'PHOTO/A123456_012345_20250301083134_0005.JPG',
    ]);
  });

  it('returns each recording’s start and end, with segments back to back except for the requested gap', () => {
    const times = volume.recordings.map(({ kind, start, end }) => [
      kind,
      start.toISOString(),
      end.toISOString(),
    ]);
    expect(times).toEqual([
      ['video', '2025-03-01T00:30:00.000Z', '2025-03-01T00:30:03.000Z'],
      ['video', '2025-03-01T00:30:03.000Z', '2025-03-01T00:30:06.000Z'],
      ['video', '2025-03-01T00:30:26.000Z', '2025-03-01T00:30:29.000Z'],
      ['audio', '2025-03-01T00:30:59.000Z', '2025-03-01T00:31:04.000Z'],
      ['photo', '2025-03-01T00:31:34.000Z', '2025-03-01T00:31:34.000Z'],
    ]);
  });

  it('writes real, playable media whose kind matches its extension', async () => {
    for (const recording of volume.recordings) {
      expect(mediaKindOf(recording.path)).toBe(recording.kind);
      const probed = await probe(recording.path, { timeoutMs });
      expect(probed.ok).toBe(true);
      if (recording.kind === 'video') {
        expect(probed.durationSeconds).toBeCloseTo(3, 0);
        expect(probed.creationTime).toBe(recording.start.toISOString().replace('.000Z', '.000000Z'));
      }
    }
  });

  it('sets each file’s modification time to the end of its recording', async () => {
    for (const recording of volume.recordings) {
      expect((await stat(recording.path)).mtime.getTime()).toBe(recording.end.getTime());
    }
  });

  it('adds files that are not footage, which the station must leave alone', async () => {
    expect(volume.otherFiles.map((other) => other.relativePath)).toEqual([
      'SYSTEM/DEVICE.TXT',
      'MISC/readme.txt',
    ]);
    for (const other of volume.otherFiles) expect(mediaKindOf(other.path)).toBeNull();
    expect(await readFile(path.join(root, 'SYSTEM/DEVICE.TXT'), 'utf8')).toContain('SERIAL=A123456');
    expect((await readdir(root)).sort()).toEqual(['DCIM', 'MISC', 'PHOTO', 'RECORD', 'SYSTEM']);
  });
});

describe('wallClockStamp', () => {
  it('writes an instant as YYYYMMDDHHmmss on the zone’s wall clock', () => {
    expect(wallClockStamp(new Date('2025-12-31T16:30:05Z'), 'Asia/Shanghai')).toBe('20260101003005');
    expect(wallClockStamp(new Date('2025-12-31T16:30:05Z'), 'UTC')).toBe('20251231163005');
  });
});

describe('scripts/make-footage.ts', () => {
  it('lays out a recorder volume from the command line and lists what it made', async () => {
    const out = file('cli-volume');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/make-footage.ts', out, '--serial', 'B765432', '--badge', '654321'].concat([
        '--segments',
        '2',
        '--seconds',
        '2',
        '--start',
        '2025-03-01T00:30:00Z',
      ]),
      { cwd: path.resolve(import.meta.dirname, '..') },
    );
    expect(stdout).toContain('DCIM/100MEDIA/B765432_654321_20250301083000_0001.MP4');
    expect(stdout).toContain('DCIM/100MEDIA/B765432_654321_20250301083002_0002.MP4');
    expect((await readdir(path.join(out, 'DCIM', '100MEDIA'))).length).toBe(2);
  });

  it('prints its usage and exits 2 without an output folder', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/make-footage.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
  });
});
