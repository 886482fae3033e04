import { chmod, copyFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudio, makePhoto, makeVideo, truncateFile, zeroFillRegion } from '../src/footage/generate.ts';
import { type AudioWindow, decodeWindows } from '../src/media/audio-window.ts';
import type { MediaKind } from '../src/media/media-kind.ts';
import { mediaKindOf } from '../src/media/media-kind.ts';
import { checkPlayback, type PlaybackReport } from '../src/media/playback-check.ts';
import { probe } from '../src/media/probe.ts';

const options = { timeoutMs: 60_000, sampleSeconds: 2 };
let folder: string;
const file = (name: string) => path.join(folder, name);

async function check(name: string, kind: MediaKind = mediaKindOf(name) ?? 'video'): Promise<PlaybackReport> {
  const probed = await probe(file(name), { timeoutMs: options.timeoutMs });
  return checkPlayback(file(name), kind, probed, options);
}

/** A damaged copy of a good file, so each damage case starts from known-good footage. */
async function damagedCopy(source: string, name: string, damage: (target: string) => Promise<void>) {
  await copyFile(file(source), file(name));
  await damage(file(name));
}

const failedChecks = (report: PlaybackReport) =>
  report.checks.filter((check) => !check.ok).map((check) => check.name);

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-playback-'));
  await makeVideo(file('h264.mp4'), { seconds: 8 });
  await makeVideo(file('h264-faststart.mp4'), { seconds: 8, faststart: true });
  await makeVideo(file('hevc.mp4'), { seconds: 6, codec: 'hevc' });
  await makeVideo(file('clip.mov'), { seconds: 6 });
  await makeVideo(file('mpeg4.avi'), { seconds: 6 });
  await makeVideo(file('clip.ts'), { seconds: 6 });
  await makeVideo(file('silent.mp4'), { seconds: 6, audio: false });
  await makeAudio(file('note.wav'), { seconds: 6 });
  await makeAudio(file('note.mp3'), { seconds: 6 });
  await makeAudio(file('note.m4a'), { seconds: 6 });
  await makePhoto(file('photo.jpg'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('checkPlayback on good recordings', () => {
  it.each([
    'h264.mp4',
    'h264-faststart.mp4',
    'hevc.mp4',
    'clip.mov',
    'mpeg4.avi',
    'clip.ts',
    'silent.mp4',
    'note.wav',
    'note.mp3',
    'note.m4a',
  ])('finds %s plays to its declared length without errors', async (name) => {
    const report = await check(name);
    expect(failedChecks(report)).toEqual([]);
    expect(report.status).toBe('ok');
    expect(report.errors).toEqual([]);
    expect(report.declaredSeconds).not.toBeNull();
    expect(report.decodedSeconds).toBeCloseTo(report.declaredSeconds ?? 0, 0);
  });

  it('checks a video by a keyframe scan, samples at start, middle and end, its sound and its length', async () => {
    const report = await check('h264.mp4');
    expect(report.checks.map((check) => check.name)).toEqual([
      'probe',
      'container-size',
      'keyframe-scan',
      'audio',
      'sample-start',
      'sample-middle',
      'sample-end',
      'length',
    ]);
  });

  it('finds a JPEG decodes, and gives a photo no length', async () => {
    const report = await check('photo.jpg');
    expect(report.status).toBe('ok');
    expect(report.checks.map((check) => check.name)).toEqual(['probe', 'image']);
    expect(report.declaredSeconds).toBeNull();
    expect(report.decodedSeconds).toBeNull();
  });
});

describe('checkPlayback on damaged recordings', () => {
  it('calls an MP4 cut short before its index (moov at the end) unplayable', async () => {
    await damagedCopy('h264.mp4', 'cut-index-at-end.mp4', (target) => truncateFile(target, 0.5));
    const report = await check('cut-index-at-end.mp4');
    expect(report.status).toBe('unplayable');
    expect(report.decodedSeconds).toBeNull();
    expect(failedChecks(report)).toContain('probe');
  });

  it('calls a faststart MP4 cut in half damaged, although ffprobe declares its full length', async () => {
    await damagedCopy('h264-faststart.mp4', 'cut-faststart.mp4', (target) => truncateFile(target, 0.5));
    const report = await check('cut-faststart.mp4');
    expect(report.status).toBe('damaged');
    expect(report.declaredSeconds).toBeCloseTo(8, 0);
    expect(report.decodedSeconds).toBeGreaterThan(2);
    expect(report.decodedSeconds).toBeLessThan(6);
    expect(failedChecks(report)).toEqual(expect.arrayContaining(['container-size', 'sample-end', 'length']));
    expect(report.errors.length).toBeGreaterThan(0);
  });

  it('never calls a video with a zero-filled middle ok, and names the decoder errors', async () => {
    await damagedCopy('h264.mp4', 'zeroed.mp4', (target) => zeroFillRegion(target, 0.4, 0.6));
    const report = await check('zeroed.mp4');
    expect(['damaged', 'unplayable']).toContain(report.status);
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.errors.length).toBeLessThanOrEqual(20);
    expect(report.errors.join('\n')).not.toMatch(/@ 0x/);
  });

  it('calls an empty file unplayable', async () => {
    await writeFile(file('empty.mp4'), '');
    expect((await check('empty.mp4')).status).toBe('unplayable');
  });

  it('calls a text file renamed .mp4 unplayable', async () => {
    await writeFile(file('renamed.mp4'), 'SERIAL=A123456\r\nBADGE=012345\r\n');
    const report = await check('renamed.mp4');
    expect(report.status).toBe('unplayable');
    expect(report.declaredSeconds).toBeNull();
  });

  it('never calls a truncated JPEG ok', async () => {
    await damagedCopy('photo.jpg', 'cut.jpg', (target) => truncateFile(target, 0.6));
    const report = await check('cut.jpg');
    expect(['damaged', 'unplayable']).toContain(report.status);
  });

  it('calls a WAV cut in half damaged from its RIFF header, even when the cut leaves whole samples', async () => {
    await damagedCopy('note.wav', 'cut.wav', (target) => truncateFile(target, 0.5));
    expect(failedChecks(await check('cut.wav'))).toContain('container-size');
    // ffmpeg sizes a WAV by the bytes present, so a cut between samples decodes without an error.
    const { size } = await stat(file('note.wav'));
    await damagedCopy('note.wav', 'cut-even.wav', (target) =>
      truncate(target, 44 + 2 * Math.floor((size - 44) / 4)),
    );
    const report = await check('cut-even.wav');
    expect(report.status).toBe('damaged');
    expect(failedChecks(report)).toEqual(['container-size']);
  });

  it('calls an AVI cut in half damaged, from its RIFF header', async () => {
    await damagedCopy('mpeg4.avi', 'cut.avi', (target) => truncateFile(target, 0.5));
    const report = await check('cut.avi');
    expect(report.status).toBe('damaged');
    expect(failedChecks(report)).toContain('container-size');
  });

  it('calls an MP3 cut in half damaged, because it stops short of its declared length', async () => {
    await damagedCopy('note.mp3', 'cut.mp3', (target) => truncateFile(target, 0.5));
    const report = await check('cut.mp3');
    expect(report.status).toBe('damaged');
    expect(failedChecks(report)).toEqual(['length']);
  });

  it('calls a .mp4 that holds only sound damaged: the picture is missing', async () => {
    await copyFile(file('note.m4a'), file('sound-only.mp4'));
    const report = await check('sound-only.mp4');
    expect(report.status).toBe('damaged');
    expect(failedChecks(report)).toEqual(['streams']);
  });

  it('fails the checks of an ffmpeg that hangs, rather than waiting or passing them', async () => {
    const probed = await probe(file('h264.mp4'), { timeoutMs: options.timeoutMs });
    const stalling = file('stalling-ffmpeg.sh');
    await writeFile(stalling, '#!/bin/sh\nexec sleep 60\n');
    await chmod(stalling, 0o755);
    const original = process.env.STATION_FFMPEG;
    process.env.STATION_FFMPEG = stalling;
    try {
      const report = await checkPlayback(file('h264.mp4'), 'video', probed, {
        timeoutMs: 300,
        sampleSeconds: 2,
      });
      expect(report.status).not.toBe('ok');
      expect(report.checks.find((check) => check.name === 'keyframe-scan')?.detail).toContain('timed out');
    } finally {
      if (original === undefined) delete process.env.STATION_FFMPEG;
      else process.env.STATION_FFMPEG = original;
    }
  });
});

describe('checkPlayback hands over the opening sound for the art. 18 check', () => {
  async function opening(name: string, seconds: number): Promise<AudioWindow | undefined> {
    const probed = await probe(file(name), { timeoutMs: options.timeoutMs });
    let heard: 'written' | 'no-audio' | undefined;
    const window = file(`${name}.s16`);
    const report = await checkPlayback(file(name), mediaKindOf(name) ?? 'video', probed, {
      ...options,
      openingAudio: { seconds, file: window, receive: (said) => (heard = said) },
    });
    expect(report.status).toBe('ok');
    if (heard !== 'written') return heard;
    const bytes = await readFile(window);
    return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }

  it.each(['h264.mp4', 'clip.mov', 'note.wav', 'note.m4a'])(
    'as the check would decode it itself, from the same run (%s)',
    async (name) => {
      const heard = (await opening(name, 4)) as Int16Array;
      const [alone] = (await decodeWindows([file(name)], 4, options.timeoutMs)) as Int16Array[];
      expect(heard).toBeInstanceOf(Int16Array);
      expect(heard.length).toBe(alone.length);
      expect(heard.length / 16000).toBeCloseTo(4, 1);
      // Cut at the output rather than the input, the resampler's last few samples may differ.
      expect(heard.subarray(0, -64)).toEqual(alone.subarray(0, -64));
    },
  );

  it('says a video without a sound track has none, and hands over nothing for a photo', async () => {
    expect(await opening('silent.mp4', 4)).toBe('no-audio');
    expect(await opening('photo.jpg', 4)).toBeUndefined();
  });
});
