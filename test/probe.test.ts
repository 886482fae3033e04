import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeAudio, makePhoto, makeVideo, truncateFile } from '../src/footage/generate.ts';
import { probe } from '../src/media/probe.ts';

const timeoutMs = 60_000;
let folder: string;
const file = (name: string) => path.join(folder, name);

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-probe-'));
  await makeVideo(file('clip.mp4'), {
    seconds: 6,
    fps: 25,
    faststart: true,
    creationTime: '2025-03-01T00:30:00Z',
  });
  await makeVideo(file('silent.ts'), { seconds: 6, audio: false });
  await makeAudio(file('note.wav'), { seconds: 4 });
  await makePhoto(file('photo.jpg'), { width: 640, height: 480 });
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('probe', () => {
  it('describes an H.264 MP4 with sound: codecs, size, frame rate, length and creation time', async () => {
    const result = await probe(file('clip.mp4'), { timeoutMs });
    expect(result.ok).toBe(true);
    expect(result.error).toBeNull();
    expect(result.formatName).toContain('mp4');
    expect(result.durationSeconds).toBeCloseTo(6, 0);
    expect(result.creationTime).toBe('2025-03-01T00:30:00.000000Z');
    expect(result.video).toEqual({ codec: 'h264', width: 320, height: 240, frameRate: 25 });
    expect(result.audio).toEqual({ codec: 'aac', sampleRate: 48000, channels: 1 });
  });

  it('reports a video without sound as having no audio', async () => {
    const result = await probe(file('silent.ts'), { timeoutMs });
    expect(result.ok).toBe(true);
    expect(result.formatName).toBe('mpegts');
    expect(result.video?.codec).toBe('h264');
    expect(result.audio).toBeNull();
    expect(result.creationTime).toBeNull();
  });

  it('describes a WAV as audio only', async () => {
    const result = await probe(file('note.wav'), { timeoutMs });
    expect(result.ok).toBe(true);
    expect(result.video).toBeNull();
    expect(result.audio).toEqual({ codec: 'pcm_s16le', sampleRate: 16000, channels: 1 });
    expect(result.durationSeconds).toBeCloseTo(4, 1);
  });

  it('reports a JPEG as a one-picture mjpeg video stream', async () => {
    const result = await probe(file('photo.jpg'), { timeoutMs });
    expect(result.ok).toBe(true);
    expect(result.video).toMatchObject({ codec: 'mjpeg', width: 640, height: 480 });
    expect(result.audio).toBeNull();
  });

  it('still declares the full length of a faststart MP4 cut in half, which is why playback is checked by decoding', async () => {
    await copyFile(file('clip.mp4'), file('half.mp4'));
    await truncateFile(file('half.mp4'), 0.5);
    const result = await probe(file('half.mp4'), { timeoutMs });
    expect(result.ok).toBe(true);
    expect(result.durationSeconds).toBeCloseTo(6, 0);
  });

  it('fails without throwing on a text file named .mp4, with ffprobe’s reason', async () => {
    await writeFile(file('notes.mp4'), 'this is not a video\n');
    const result = await probe(file('notes.mp4'), { timeoutMs });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/moov atom not found|Invalid data/);
    expect(result.error).not.toMatch(/@ 0x/);
    expect(result.video).toBeNull();
    expect(result.durationSeconds).toBeNull();
  });

  it('fails without throwing on an empty file and on a missing file', async () => {
    await writeFile(file('empty.mp4'), '');
    expect((await probe(file('empty.mp4'), { timeoutMs })).ok).toBe(false);
    const missing = await probe(file('does-not-exist.mp4'), { timeoutMs });
    expect(missing.ok).toBe(false);
    expect(missing.error).toMatch(/No such file/);
  });

  it('reads paths with spaces, colons and a leading dash as plain file names', async () => {
    const awkward = file('-cam 1: shift.mp4');
    await copyFile(file('clip.mp4'), awkward);
    expect((await probe(awkward, { timeoutMs })).ok).toBe(true);
  });
});

describe('probe with STATION_FFPROBE', () => {
  const original = process.env.STATION_FFPROBE;
  afterEach(() => {
    if (original === undefined) delete process.env.STATION_FFPROBE;
    else process.env.STATION_FFPROBE = original;
  });

  it('kills an ffprobe that hangs and reports the timeout instead of waiting', async () => {
    const stalling = file('stalling-ffprobe.sh');
    await writeFile(stalling, '#!/bin/sh\nexec sleep 60\n');
    await chmod(stalling, 0o755);
    process.env.STATION_FFPROBE = stalling;
    // Not MP4, which is read in-process (mp4-probe.test.ts): this one goes to ffprobe.
    const result = await probe(file('silent.ts'), { timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/timed out/);
  });

  it('throws when ffprobe cannot be started at all, since that is a broken installation, not bad media', async () => {
    process.env.STATION_FFPROBE = file('no-such-ffprobe');
    await expect(probe(file('silent.ts'), { timeoutMs })).rejects.toThrow(/cannot run .*STATION_FFPROBE/);
  });
});
