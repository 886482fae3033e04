// Real footage made with ffmpeg, for tests, the demo and benchmarks: test patterns and tones encoded
// with the codecs and containers recorders use, plus helpers that damage files the way a pulled
// cable or a failing card does. Nothing here is used by the station itself.
import { mkdir, open, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg-run.ts';
import type { MediaKind } from '../media/media-kind.ts';
import { wallTimeIn } from '../time/zone.ts';

export type VideoCodec = 'h264' | 'hevc' | 'mpeg4' | 'mjpeg';

export interface MakeVideoOptions {
  seconds: number;
  /** Default: mpeg4 in .avi, h264 elsewhere. */
  codec?: VideoCodec;
  width?: number;
  height?: number;
  fps?: number;
  /** Add a tone as an audio track (default true). */
  audio?: boolean;
  /** ISO time written as the creation_time tag (MP4/MOV keep it; TS has nowhere to put it). */
  creationTime?: string;
  /** Put the MP4/MOV index (moov) before the media data, as streaming-friendly writers do. */
  faststart?: boolean;
  bitrateKbps?: number;
  /** Makes otherwise equal footage differ (a marker in the picture, the tone's pitch); default 0. */
  variant?: number;
}

export interface MakeAudioOptions {
  seconds: number;
  creationTime?: string;
  variant?: number;
}

export interface MakePhotoOptions {
  width?: number;
  height?: number;
  variant?: number;
}

/** Generous: encoding a short test clip takes well under a second, but CI machines stall. */
const encodeTimeoutMs = 10 * 60 * 1000;

const videoEncoderArgs: Record<VideoCodec, string[]> = {
  h264: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  // hvc1 is the tag players expect for HEVC in MP4/MOV; x265 is chatty unless told otherwise.
  hevc: ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error'],
  mpeg4: ['-c:v', 'mpeg4', '-q:v', '5'],
  mjpeg: ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'],
};

const videoContainers = new Set(['.mp4', '.mov', '.avi', '.ts', '.mkv']);

export async function makeVideo(path: string, options: MakeVideoOptions): Promise<void> {
  const container = extname(path).toLowerCase();
  if (!videoContainers.has(container)) throw new Error(`makeVideo: unsupported container ${container}`);
  const codec = options.codec ?? (container === '.avi' ? 'mpeg4' : 'h264');
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const fps = options.fps ?? 25;
  const withAudio = options.audio ?? true;
  const isQuickTime = container === '.mp4' || container === '.mov';

  const args = ['-v', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${options.seconds}`);
  if (withAudio) args.push('-f', 'lavfi', '-i', toneSource(options.seconds, 48000, options.variant));
  if (options.variant) args.push('-vf', variantMarker(options.variant, width, height));
  args.push(...videoEncoderArgs[codec]);
  // One keyframe a second, as recorders do; it also makes keyframe scans meaningful.
  if (codec !== 'mjpeg') args.push('-g', String(fps));
  if (codec === 'hevc' && isQuickTime) args.push('-tag:v', 'hvc1');
  if (options.bitrateKbps) args.push('-b:v', `${options.bitrateKbps}k`);
  if (withAudio) args.push(...audioEncoderArgsFor(container));
  if (options.creationTime) args.push('-metadata', `creation_time=${options.creationTime}`);
  if (options.faststart && isQuickTime) args.push('-movflags', '+faststart');
  args.push('-shortest', path);
  await encode(args);
}

export async function makeAudio(path: string, options: MakeAudioOptions): Promise<void> {
  const container = extname(path).toLowerCase();
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    toneSource(options.seconds, 16000, options.variant),
  ];
  args.push(...audioOnlyEncoderArgs(container));
  if (options.creationTime) args.push('-metadata', `creation_time=${options.creationTime}`);
  args.push(path);
  await encode(args);
}

export async function makePhoto(path: string, options: MakePhotoOptions = {}): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=1`,
    '-frames:v',
    '1',
  ];
  if (options.variant) args.push('-vf', variantMarker(options.variant, width, height));
  // -update 1: write one image to a plain file name instead of treating it as a numbered sequence.
  args.push('-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p', '-update', '1', path);
  await encode(args);
}

function toneSource(seconds: number, sampleRate: number, variant = 0): string {
  return `sine=frequency=${1000 + (variant % 1000)}:sample_rate=${sampleRate}:duration=${seconds}`;
}

// A small white square whose place depends on the variant: two recorders never make the same bytes.
function variantMarker(variant: number, width: number, height: number): string {
  const x = variant % Math.max(1, width - 8);
  const y = Math.floor(variant / Math.max(1, width - 8)) % Math.max(1, height - 8);
  return `drawbox=x=${x}:y=${y}:w=8:h=8:color=white:t=fill`;
}

function audioEncoderArgsFor(container: string): string[] {
  // AVI players expect MP3 or PCM; AAC is what MP4, MOV, TS and recorders use.
  return container === '.avi' ? ['-c:a', 'libmp3lame', '-b:a', '64k'] : ['-c:a', 'aac', '-b:a', '64k'];
}

function audioOnlyEncoderArgs(container: string): string[] {
  switch (container) {
    case '.wav':
      return ['-c:a', 'pcm_s16le'];
    case '.mp3':
      return ['-c:a', 'libmp3lame', '-b:a', '64k'];
    case '.m4a':
    case '.aac':
      return ['-c:a', 'aac', '-b:a', '64k'];
    default:
      throw new Error(`makeAudio: unsupported container ${container}`);
  }
}

async function encode(args: string[]): Promise<void> {
  const output = args.at(-1) ?? '';
  await mkdir(dirname(output), { recursive: true });
  const run = await runFfmpeg(args, { timeoutMs: encodeTimeoutMs });
  if (run.exitCode !== 0) {
    const reason = run.timedOut ? 'timed out' : run.stderr.trim() || `exit code ${run.exitCode}`;
    throw new Error(`ffmpeg could not make ${output}: ${reason}`);
  }
}

// ---- damage ----------------------------------------------------------------------------------

/** Keeps the first `fraction` (0..1) of the file, as an interrupted copy or a full card leaves it. */
export async function truncateFile(path: string, fraction: number): Promise<void> {
  const { size } = await stat(path);
  await truncate(path, Math.floor(size * clampFraction(fraction)));
}

/** Overwrites the bytes between two fractions of the file with zeros, as a bad card sector reads. */
export async function zeroFillRegion(path: string, fromFraction: number, toFraction: number): Promise<void> {
  const { size } = await stat(path);
  const from = Math.floor(size * clampFraction(fromFraction));
  const to = Math.floor(size * clampFraction(toFraction));
  const file = await open(path, 'r+');
  try {
    const zeros = Buffer.alloc(64 * 1024);
    for (let position = from; position < to; position += zeros.length) {
      await file.write(zeros, 0, Math.min(zeros.length, to - position), position);
    }
  } finally {
    await file.close();
  }
}

function clampFraction(fraction: number): number {
  return Math.min(1, Math.max(0, fraction));
}

// ---- a whole recorder volume -------------------------------------------------------------------

export interface SampleRecorderOptions {
  /** Product serial as the recorder prints it (GA/T 947: 7 characters). */
  serial: string;
  /** Officer's badge number (警号, 6 characters). */
  badge: string;
  /** When the first video segment started; cut to whole seconds, as recorders name their files. */
  start: Date;
  segments: number;
  segmentSeconds: number;
  /** gapSeconds[i]: pause between video segment i and i + 1 (missing entries: none). */
  gapSeconds?: number[];
  /** IANA zone of the recorder's clock, e.g. Asia/Shanghai: names and FAT times are local. */
  timezone: string;
  /** Passed to makeVideo for every segment (size, codec, bitrate...). */
  video?: Omit<MakeVideoOptions, 'seconds' | 'creationTime'>;
}

export interface SampleRecording {
  path: string;
  /** Path inside the volume, with forward slashes, e.g. DCIM/100MEDIA/A123456_012345_20250301083000_0001.MP4 */
  relativePath: string;
  kind: MediaKind;
  start: Date;
  /** Equal to start for a photo. */
  end: Date;
}

export interface SampleRecorder {
  root: string;
  /** In recording order. */
  recordings: SampleRecording[];
  /** Files a recorder keeps beside its footage, which the station must not archive. */
  otherFiles: { path: string; relativePath: string }[];
}

/** Time between the last video and the audio note, and between the audio note and the photo. */
const pauseBetweenKindsSeconds = 30;
const audioNoteSeconds = 5;

/**
 * Lays out a recorder's volume under `root`: consecutive video segments in DCIM/100MEDIA, an audio
 * note in RECORD, a photo in PHOTO (all named SERIAL_BADGE_YYYYMMDDHHmmss_SEQ in the recorder's local
 * time), and non-media files in SYSTEM and MISC. Each file's mtime is its recording's end time, as the
 * recorder's clock stamps it when the file is closed.
 */
export async function makeSampleRecorder(
  root: string,
  options: SampleRecorderOptions,
): Promise<SampleRecorder> {
  const recordings: SampleRecording[] = [];
  const addRecording = async (
    folder: string,
    extension: string,
    kind: MediaKind,
    start: Date,
    seconds: number,
    make: (path: string) => Promise<void>,
  ) => {
    const sequence = recordings.length + 1;
    const relativePath = `${folder}/${recorderFileName(options, start, sequence)}${extension}`;
    const path = join(root, relativePath);
    const end = new Date(start.getTime() + seconds * 1000);
    await make(path);
    await utimes(path, end, end);
    recordings.push({ path, relativePath, kind, start, end });
    return end;
  };

  let next = new Date(Math.floor(options.start.getTime() / 1000) * 1000);
  for (let segment = 0; segment < options.segments; segment += 1) {
    const end = await addRecording('DCIM/100MEDIA', '.MP4', 'video', next, options.segmentSeconds, (path) =>
      makeVideo(path, {
        ...options.video,
        seconds: options.segmentSeconds,
        creationTime: next.toISOString(),
        variant: variantOf(options.serial, next),
      }),
    );
    next = addSeconds(end, options.gapSeconds?.[segment] ?? 0);
  }

  next = addSeconds(next, pauseBetweenKindsSeconds);
  const audioStart = next;
  next = await addRecording('RECORD', '.WAV', 'audio', audioStart, audioNoteSeconds, (path) =>
    makeAudio(path, {
      seconds: audioNoteSeconds,
      creationTime: audioStart.toISOString(),
      variant: variantOf(options.serial, audioStart),
    }),
  );

  next = addSeconds(next, pauseBetweenKindsSeconds);
  const photoTaken = next;
  await addRecording('PHOTO', '.JPG', 'photo', photoTaken, 0, (path) =>
    makePhoto(path, { variant: variantOf(options.serial, photoTaken) }),
  );

  const otherFiles = await writeOtherFiles(root, options, next);
  return { root, recordings, otherFiles };
}

async function writeOtherFiles(
  root: string,
  options: SampleRecorderOptions,
  clock: Date,
): Promise<SampleRecorder['otherFiles']> {
  const files = [
    {
      relativePath: 'SYSTEM/DEVICE.TXT',
      text: `SERIAL=${options.serial}\r\nBADGE=${options.badge}\r\nMODEL=DSJ-DEMO\r\nFIRMWARE=1.0.0\r\n`,
    },
    { relativePath: 'MISC/readme.txt', text: 'Sample recorder volume made by bwc-station for testing.\r\n' },
  ];
  const written: SampleRecorder['otherFiles'] = [];
  for (const { relativePath, text } of files) {
    const path = join(root, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    await utimes(path, clock, clock);
    written.push({ path, relativePath });
  }
  return written;
}

/** Each recording of each recorder gets its own bytes, as real footage does (FNV-1a of serial and time). */
function variantOf(serial: string, start: Date): number {
  let hash = 0x811c9dc5;
  for (const char of `${serial}|${start.toISOString()}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 100_000) + 1;
}

function recorderFileName(options: SampleRecorderOptions, start: Date, sequence: number): string {
  return `${options.serial}_${options.badge}_${wallClockStamp(start, options.timezone)}_${String(sequence).padStart(4, '0')}`;
}

/** YYYYMMDDHHmmss on the wall clock of `timeZone`, as a recorder stamps its file names. */
export function wallClockStamp(instant: Date, timeZone: string): string {
  const wall = wallTimeIn(instant, timeZone);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(wall.year, 4)}${pad(wall.month)}${pad(wall.day)}${pad(wall.hour)}${pad(wall.minute)}${pad(wall.second)}`;
}

function addSeconds(instant: Date, seconds: number): Date {
  return new Date(instant.getTime() + seconds * 1000);
}
