// The in-process MP4/MOV reader must give ffprobe's answer or none: each file here, made with ffmpeg
// the ways recorders and their tools write MP4, is read by both and compared field by field.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudio, makeVideo, truncateFile } from '../src/footage/generate.ts';
import { probeMp4 } from '../src/media/mp4-probe.ts';
import { ffprobe, probe } from '../src/media/probe.ts';

const run = promisify(execFile);
const timeoutMs = 60_000;
let folder: string;
const file = (name: string) => path.join(folder, name);

/** Answered in-process: the formats body cameras write. */
const answered = [
  'h264-aac.mp4',
  'h264-aac-faststart.mp4',
  'hevc-silent.mp4',
  'mpeg4-aac.mp4',
  'h264-aac.mov',
  'mjpeg-pcm.mov',
  'tone.m4a',
  'timescale-90k.mp4',
  'no-creation-time.mp4',
  'half-faststart.mp4',
  'stereo-44k.mp4',
];
/** Left to ffprobe: not MP4, fragmented, or an index this reader does not read. */
const leftToFfprobe = ['fragmented.mp4', 'clip.ts', 'text.mp4', 'no-moov-bad-box.mp4'];

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-mp4-probe-'));
  const created = '2026-11-26T01:02:03Z';
  await Promise.all([
    makeVideo(file('h264-aac.mp4'), { seconds: 3, creationTime: created }),
    makeVideo(file('h264-aac-faststart.mp4'), { seconds: 3, creationTime: created, faststart: true }),
    makeVideo(file('hevc-silent.mp4'), { seconds: 2, codec: 'hevc', audio: false, creationTime: created }),
    makeVideo(file('mpeg4-aac.mp4'), { seconds: 2, codec: 'mpeg4', fps: 30 }),
    makeVideo(file('h264-aac.mov'), { seconds: 2, creationTime: created }),
    makeVideo(file('clip.ts'), { seconds: 2 }),
    makeAudio(file('tone.m4a'), { seconds: 2, creationTime: created }),
    makeVideo(file('no-creation-time.mp4'), { seconds: 2 }),
  ]);
  const ffmpeg = (...args: string[]) => run('ffmpeg', ['-v', 'error', '-y', ...args]);
  const testVideo = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30000/1001:duration=2'];
  const testTone = (rate: number, layout: string) => [
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=500:sample_rate=${rate}:duration=2`,
    '-af',
    `aformat=channel_layouts=${layout}`,
  ];
  await Promise.all([
    ffmpeg(
      ...testVideo,
      ...testTone(48000, 'mono'),
      '-c:v',
      'mjpeg',
      '-c:a',
      'pcm_s16le',
      file('mjpeg-pcm.mov'),
    ),
    ffmpeg(
      ...testVideo,
      ...testTone(44100, 'stereo'),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      file('stereo-44k.mp4'),
    ),
    ffmpeg(
      ...testVideo,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-movflags',
      'frag_keyframe+empty_moov',
      file('fragmented.mp4'),
    ),
  ]);
  // Remuxed by a tool with its own timescale and no edit list.
  await ffmpeg(
    '-i',
    file('h264-aac.mp4'),
    '-c',
    'copy',
    '-metadata',
    `creation_time=${created}`,
    '-write_tmcd',
    '0',
    '-use_editlist',
    '0',
    '-movflags',
    '+write_colr',
    '-video_track_timescale',
    '90000',
    file('timescale-90k.mp4'),
  );
  await copyFile(file('h264-aac-faststart.mp4'), file('half-faststart.mp4'));
  await truncateFile(file('half-faststart.mp4'), 0.5);
  await copyFile(file('h264-aac.mp4'), file('half-index-last.mp4'));
  await truncateFile(file('half-index-last.mp4'), 0.5);
  await writeFile(file('text.mp4'), 'not a video\n');
  // A recording cut by power loss: ftyp, then media data to the end, no moov.
  const unfinished = await open(file('never-finished.mp4'), 'w');
  const head = Buffer.alloc(32);
  head.writeUInt32BE(24, 0);
  head.write('ftypisom', 4, 'latin1');
  head.writeUInt32BE(0, 24);
  head.write('mdat', 28, 'latin1');
  await unfinished.write(head);
  await unfinished.write(Buffer.alloc(100_000, 7));
  await unfinished.close();
  // ftyp, then a box whose size is impossible: ffprobe decides.
  const bad = Buffer.alloc(64);
  bad.writeUInt32BE(16, 0);
  bad.write('ftypisom', 4, 'latin1');
  bad.writeUInt32BE(3, 16);
  bad.write('junk', 20, 'latin1');
  await writeFile(file('no-moov-bad-box.mp4'), bad);
}, 120_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('probeMp4', () => {
  it.each(answered)('answers %s exactly as ffprobe does', async (name) => {
    const mine = await probeMp4(file(name));
    const theirs = await ffprobe(file(name), { timeoutMs });
    expect(mine).not.toBeNull();
    expect(theirs.ok).toBe(true);
    const { video: myVideo, ...myRest } = mine!;
    const { video: theirVideo, ...theirRest } = theirs;
    expect({ ...myRest, error: null }).toEqual({ ...theirRest, error: null });
    expect(myVideo === null).toBe(theirVideo === null);
    if (myVideo && theirVideo) {
      expect({ ...myVideo, frameRate: 0 }).toEqual({ ...theirVideo, frameRate: 0 });
      expect(myVideo.frameRate).toBeCloseTo(theirVideo.frameRate ?? 0, 2);
    }
  });

  it.each(leftToFfprobe)('leaves %s to ffprobe', async (name) => {
    expect(await probeMp4(file(name))).toBeNull();
    // and probe() still answers, through ffprobe
    const result = await probe(file(name), { timeoutMs });
    expect(result).toEqual(await ffprobe(file(name), { timeoutMs }));
  });

  it.each(['never-finished.mp4', 'half-index-last.mp4'])(
    'says what ffprobe says of an MP4 whose index is missing (%s)',
    async (name) => {
      const mine = await probeMp4(file(name));
      expect(mine).toEqual(await ffprobe(file(name), { timeoutMs }));
      expect(mine?.ok).toBe(false);
      expect(mine?.error).toMatch(/moov atom not found/);
    },
  );
});
