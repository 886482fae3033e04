// Does a recording actually play back (art. 23 asks the clerk to check that it does)? ffprobe alone
// cannot say: it reads headers, and a truncated MP4 with its index at the front declares its full
// length. ffmpeg cannot say by its exit code either: it exits 0 after printing decode errors. So we
// decode, and judge by the error lines ffmpeg prints and by how far decoding got against the length
// the container declares.
//
// Decoding a whole video costs several seconds per minute of footage, so a video gets a keyframe-only
// scan of the whole file (cheap: it skips the frames in between, yet reads every packet and decodes
// all audio) plus full decoding of short samples at the start, middle and end.
import { rm } from 'node:fs/promises';
import { windowOutput } from './audio-window.ts';
import { checkContainerSize } from './container-size.ts';
import { backgroundNiceness, inputUrl, runFfmpeg } from './ffmpeg-run.ts';
import type { MediaKind } from './media-kind.ts';
import type { ProbeResult } from './probe.ts';

export type PlaybackStatus = 'ok' | 'damaged' | 'unplayable';

/** One phrase of a check's result for people: `check.say.<code>` in the catalogues. */
export interface CheckPhrase {
  code: string;
  values?: Record<string, string | number>;
}

export interface PlaybackCheck {
  name: string;
  ok: boolean;
  /** What the check found, in English, for whoever reads decoder output. */
  detail: string;
  /** The same in phrases the catalogues word; absent in reports from before them. */
  says?: CheckPhrase[];
}

export interface PlaybackReport {
  status: PlaybackStatus;
  declaredSeconds: number | null;
  decodedSeconds: number | null; // how far decoding actually got
  checks: PlaybackCheck[]; // e.g. probe, keyframe-scan, sample-start, sample-middle, sample-end, audio, image
  errors: string[]; // decoder error lines, capped (e.g. first 20)
}

export interface PlaybackOptions {
  /** Limit for each ffmpeg run (a check runs up to five); a run that hits it fails its check. */
  timeoutMs: number;
  /** Length of each fully decoded sample of a video. */
  sampleSeconds: number;
  /**
   * Also hands over the first `seconds` of sound as 16 kHz mono for the art. 18 check, written by
   * the run that decodes all the sound anyway, so that check needs no decoding of its own.
   */
  openingAudio?: {
    seconds: number;
    /** Written here by the launcher (not through the daemon's memory); then `receive('written')`. */
    file: string;
    receive: (window: 'written' | 'no-audio') => void;
  };
}

const maxReportedErrors = 20;

/** Decoding may stop this short of the declared length: audio frames, rounding, container slack. */
function lengthTolerance(declaredSeconds: number): number {
  return Math.max(1, declaredSeconds * 0.01);
}

export async function checkPlayback(
  path: string,
  kind: MediaKind,
  probed: ProbeResult,
  options: PlaybackOptions,
): Promise<PlaybackReport> {
  const checks: PlaybackCheck[] = [probeCheck(probed)];
  const sizeCheck = await containerSizeCheck(path);
  if (sizeCheck) checks.push(sizeCheck);
  if (!probed.ok) return finish(checks, [], probed, null, 0);

  if (kind === 'photo') return checkImage(path, probed, checks, options);
  if (probed.video) return checkVideo(path, probed, checks, options);
  if (kind === 'video') {
    // A body-camera video file with only a sound track lost its picture somewhere.
    checks.push({
      name: 'streams',
      ok: false,
      detail: 'no video stream, only audio',
      says: [{ code: 'only-audio' }],
    });
  }
  return checkAudio(path, probed, checks, options);
}

// ---- per kind --------------------------------------------------------------------------------

async function checkVideo(
  path: string,
  probed: ProbeResult,
  checks: PlaybackCheck[],
  options: PlaybackOptions,
): Promise<PlaybackReport> {
  const declared = probed.durationSeconds;
  const streams = probed.audio ? ['-map', '0:v:0', '-map', '0:a:0'] : ['-map', '0:v:0'];
  const runs: NamedDecode[] = [];
  if (!probed.audio) options.openingAudio?.receive('no-audio');

  // Skipping non-key frames still makes the demuxer read and parse every packet, so a cut or a
  // hole anywhere in the file shows up as errors or as keyframes that stop early.
  const scan = await decode(
    path,
    ['-skip_frame', 'nokey'],
    streams,
    options.timeoutMs,
    probed.audio ? options.openingAudio : undefined,
  );
  runs.push({ name: 'keyframe-scan', decoded: scan });
  checks.push(scanCheck(scan));
  if (probed.audio) checks.push(audioTrackCheck(scan));

  const samples: { start: number; decoded: Decoded }[] = [];
  for (const sample of samplePositions(declared, options.sampleSeconds)) {
    const outputLimit = ['-t', String(options.sampleSeconds), ...streams];
    const decoded = await decode(path, ['-ss', String(sample.start)], outputLimit, options.timeoutMs);
    runs.push({ name: sample.name, decoded });
    samples.push({ start: sample.start, decoded });
    checks.push(sampleCheck(sample.name, sample.start, decoded));
  }

  // Keyframes end up to one GOP before the end, so the end sample and the audio tell it more exactly.
  const reached = Math.max(
    streamEnd(scan, 'video'),
    streamEnd(scan, 'audio'),
    ...samples.map(({ start, decoded }) => (framesDecoded(decoded) > 0 ? start + decodedEnd(decoded) : 0)),
  );
  checks.push(lengthCheck(declared, reached));
  const frames = runs.reduce((total, run) => total + framesDecoded(run.decoded), 0);
  return finish(checks, runs, probed, reached, frames);
}

async function checkAudio(
  path: string,
  probed: ProbeResult,
  checks: PlaybackCheck[],
  options: PlaybackOptions,
): Promise<PlaybackReport> {
  // Audio decodes hundreds of times faster than real time, so decode all of it.
  const decoded = await decode(path, [], ['-map', '0:a:0'], options.timeoutMs, options.openingAudio);
  const reached = streamEnd(decoded, 'audio');
  checks.push(
    cleanDecodeCheck('audio', decoded, `decoded ${seconds(reached)} of audio`, [
      { code: 'audio-decoded', values: { seconds: tenths(reached) } },
    ]),
  );
  checks.push(lengthCheck(probed.durationSeconds, reached));
  return finish(checks, [{ name: 'audio', decoded }], probed, reached, framesDecoded(decoded));
}

async function checkImage(
  path: string,
  probed: ProbeResult,
  checks: PlaybackCheck[],
  options: PlaybackOptions,
): Promise<PlaybackReport> {
  // A '%' in a photo's name would make the image demuxer look for a numbered sequence instead.
  const literalName = ['-pattern_type', 'none'];
  const decoded = await decode(path, literalName, ['-map', '0:v:0', '-frames:v', '1'], options.timeoutMs);
  const size = probed.video ? `${probed.video.width}x${probed.video.height}` : 'unknown size';
  checks.push(
    cleanDecodeCheck('image', decoded, `decoded a ${size} image`, [
      { code: 'image', values: { size: probed.video ? size : '?' } },
    ]),
  );
  // A photo has no length: report neither declared nor decoded seconds.
  const report = finish(checks, [{ name: 'image', decoded }], probed, null, framesDecoded(decoded));
  return { ...report, declaredSeconds: null };
}

// ---- individual checks -------------------------------------------------------------------------

function probeCheck(probed: ProbeResult): PlaybackCheck {
  if (!probed.ok) {
    return {
      name: 'probe',
      ok: false,
      detail: probed.error ?? 'no audio or video stream found',
      says: [{ code: probed.error ? 'probe-error' : 'no-streams' }],
    };
  }
  const parts = [probed.formatName ?? 'unknown format'];
  const says: CheckPhrase[] = [{ code: 'format', values: { name: probed.formatName ?? '?' } }];
  if (probed.video) {
    const size = `${probed.video.width}x${probed.video.height}`;
    parts.push(`video ${probed.video.codec} ${size}`);
    says.push({ code: 'video', values: { codec: probed.video.codec, size } });
  }
  if (probed.audio) {
    parts.push(`audio ${probed.audio.codec}`);
    says.push({ code: 'audio-stream', values: { codec: probed.audio.codec } });
  }
  if (probed.durationSeconds !== null) {
    parts.push(`declares ${seconds(probed.durationSeconds)}`);
    says.push({ code: 'declares', values: { seconds: tenths(probed.durationSeconds) } });
  }
  return { name: 'probe', ok: true, detail: parts.join(', '), says };
}

async function containerSizeCheck(path: string): Promise<PlaybackCheck | null> {
  try {
    const result = await checkContainerSize(path);
    return result && { name: 'container-size', ...result };
  } catch (error) {
    return {
      name: 'container-size',
      ok: false,
      detail: `cannot read the file: ${(error as Error).message}`,
      says: [{ code: 'unreadable' }],
    };
  }
}

function scanCheck(scan: Decoded): PlaybackCheck {
  const video = scan.streams.find((stream) => stream.mediaType === 'video');
  const keyframes = video?.frames ?? 0;
  const gap = video && keyframes > 1 ? `, longest gap ${seconds(video.longestGapSeconds)}` : '';
  const summary = `${keyframes} keyframes up to ${seconds(video?.endSeconds ?? 0)}${gap}`;
  const says: CheckPhrase[] = [
    { code: 'keyframes', values: { count: keyframes, end: tenths(video?.endSeconds ?? 0) } },
  ];
  if (video && keyframes > 1)
    says.push({ code: 'longest-gap', values: { gap: tenths(video.longestGapSeconds) } });
  return cleanDecodeCheck('keyframe-scan', scan, summary, says, keyframes > 0);
}

function audioTrackCheck(scan: Decoded): PlaybackCheck {
  const audio = scan.streams.find((stream) => stream.mediaType === 'audio');
  if (!audio || audio.frames === 0) {
    return {
      name: 'audio',
      ok: false,
      detail: 'the audio track decoded nothing',
      says: [{ code: 'audio-nothing' }],
    };
  }
  // Its decode errors are already counted by the keyframe scan, which decoded it.
  return {
    name: 'audio',
    ok: true,
    detail: `decoded ${seconds(audio.endSeconds)} of audio`,
    says: [{ code: 'audio-decoded', values: { seconds: tenths(audio.endSeconds) } }],
  };
}

function sampleCheck(name: string, start: number, decoded: Decoded): PlaybackCheck {
  const videoFrames = decoded.streams.find((stream) => stream.mediaType === 'video')?.frames ?? 0;
  const summary = `${videoFrames} frames from ${seconds(start)} to ${seconds(start + decodedEnd(decoded))}`;
  const says = [
    {
      code: 'frames',
      values: { count: videoFrames, from: tenths(start), to: tenths(start + decodedEnd(decoded)) },
    },
  ];
  return cleanDecodeCheck(name, decoded, summary, says, videoFrames > 0);
}

/** Passes when the run finished in time, printed no errors and produced what it had to. */
function cleanDecodeCheck(
  name: string,
  decoded: Decoded,
  summary: string,
  says: CheckPhrase[],
  producedEnough = true,
): PlaybackCheck {
  const problems: string[] = [];
  const phrases = [...says];
  if (decoded.timedOut) {
    problems.push('timed out');
    phrases.push({ code: 'timed-out' });
  }
  if (decoded.errorLines.length > 0) {
    problems.push(`${decoded.errorLines.length} decoder error lines`);
    phrases.push({ code: 'error-lines', values: { count: decoded.errorLines.length } });
  }
  if (framesDecoded(decoded) === 0) {
    problems.push('nothing decoded');
    phrases.push({ code: 'nothing-decoded' });
  } else if (!producedEnough) {
    problems.push('no picture decoded');
    phrases.push({ code: 'no-picture' });
  }
  const detail = problems.length > 0 ? `${summary}; ${problems.join(', ')}` : summary;
  return { name, ok: problems.length === 0, detail, says: phrases };
}

function lengthCheck(declared: number | null, reached: number): PlaybackCheck {
  if (declared === null) {
    return {
      name: 'length',
      ok: true,
      detail: `no declared length; decoded to ${seconds(reached)}`,
      says: [{ code: 'no-declared-length', values: { reached: tenths(reached) } }],
    };
  }
  const ok = declared - reached <= lengthTolerance(declared);
  const detail = `decoded to ${seconds(reached)} of ${seconds(declared)} declared`;
  const says: CheckPhrase[] = [
    { code: 'decoded-to', values: { reached: tenths(reached), declared: tenths(declared) } },
  ];
  if (!ok) says.push({ code: 'stops-short', values: { missing: tenths(declared - reached) } });
  return {
    name: 'length',
    ok,
    detail: ok ? detail : `${detail}; stops ${seconds(declared - reached)} short`,
    says,
  };
}

function finish(
  checks: PlaybackCheck[],
  runs: NamedDecode[],
  probed: ProbeResult,
  reached: number | null,
  framesDecodedInAllRuns: number,
): PlaybackReport {
  const decodedSomething = probed.ok && framesDecodedInAllRuns > 0;
  let status: PlaybackStatus = 'unplayable';
  if (decodedSomething) status = checks.every((check) => check.ok) ? 'ok' : 'damaged';
  return {
    status,
    declaredSeconds: probed.durationSeconds,
    decodedSeconds: decodedSomething ? reached : probed.ok ? 0 : null,
    checks,
    errors: collectErrors(runs),
  };
}

function samplePositions(declared: number | null, sampleSeconds: number): { name: string; start: number }[] {
  if (declared === null || declared <= sampleSeconds) return [{ name: 'sample-start', start: 0 }];
  return [
    { name: 'sample-start', start: 0 },
    { name: 'sample-middle', start: roundMillis((declared - sampleSeconds) / 2) },
    { name: 'sample-end', start: roundMillis(declared - sampleSeconds) },
  ];
}

/** First error lines over all runs, each once, named by the run that printed it. */
function collectErrors(runs: NamedDecode[]): string[] {
  const seen = new Set<string>();
  for (const run of runs) {
    for (const line of run.decoded.errorLines) {
      if (seen.size >= maxReportedErrors) break;
      seen.add(`${run.name}: ${line}`);
    }
  }
  return [...seen];
}

// ---- running ffmpeg and reading its frame list ----------------------------------------------------

interface StreamExtent {
  mediaType: string;
  frames: number;
  /** End of the last decoded frame, from the start of the run's output. */
  endSeconds: number;
  longestGapSeconds: number;
}

interface Decoded {
  streams: StreamExtent[];
  errorLines: string[];
  timedOut: boolean;
}

interface NamedDecode {
  name: string;
  decoded: Decoded;
}

/**
 * Decodes with ffmpeg into framecrc: one text line per decoded frame with its stream, timestamp and
 * duration, which tells us exactly how far each stream got. Error lines come from stderr (-v error).
 * With `opening`, the first seconds of the first audio stream also go, resampled, to descriptor 3.
 */
async function decode(
  path: string,
  inputArgs: string[],
  outputArgs: string[],
  timeoutMs: number,
  opening?: PlaybackOptions['openingAudio'],
): Promise<Decoded> {
  const frameList = new FrameListReader();
  // framecrc lists every decoded frame's timing; wrapped_avframe hands it each picture by reference,
  // where the default (raw video) copied and checksummed 3 MB a 1080p frame: half a sample's CPU.
  const listing = ['-c:v', 'wrapped_avframe', '-f', 'framecrc', '-'];
  const args = ['-v', 'error', ...inputArgs, '-i', inputUrl(path), ...outputArgs, ...listing];
  // The sound goes to descriptor 3, which the launcher writes to the file: a disk that cannot take
  // it must not fail the playback check.
  if (opening) args.push(...windowOutput(0, 'pipe:3', opening.seconds));
  const run = await runFfmpeg(args, {
    timeoutMs,
    niceness: backgroundNiceness,
    onStdoutLine: (line) => frameList.read(line),
    outputs: opening && [{ file: opening.file }],
  });
  // Only from a run that ended by itself; the art. 18 check decodes what this did not hand over.
  if (opening && !run.timedOut && run.outputsWritten[0]) opening.receive('written');
  else if (opening) await rm(opening.file, { force: true });
  return { streams: frameList.extents(), errorLines: errorLinesOf(run.stderr), timedOut: run.timedOut };
}

interface FrameTally {
  frames: number;
  end: number;
  lastStart: number;
  gap: number;
}

/** Reads framecrc lines: "#tb 0: 1/25", "#media_type 0: video" and "0, dts, pts, duration, size, crc". */
class FrameListReader {
  private readonly timeBases = new Map<number, number>();
  private readonly mediaTypes = new Map<number, string>();
  private readonly streams = new Map<number, FrameTally>();

  read(line: string): void {
    const header = /^#(tb|media_type) (\d+): (.+)$/.exec(line);
    if (header) {
      const index = Number(header[2]);
      if (header[1] === 'tb') this.timeBases.set(index, parseFraction(header[3]));
      else this.mediaTypes.set(index, header[3].trim());
      return;
    }
    const fields = line.split(',');
    if (fields.length < 4 || line.startsWith('#')) return;
    const [index, , pts, duration] = fields.slice(0, 4).map((field) => Number(field.trim()));
    const timeBase = this.timeBases.get(index);
    if (timeBase === undefined || !Number.isFinite(pts)) return;
    const start = pts * timeBase;
    const end = start + (Number.isFinite(duration) ? duration : 0) * timeBase;
    const stream = this.streams.get(index);
    if (!stream) {
      this.streams.set(index, { frames: 1, end, lastStart: start, gap: 0 });
      return;
    }
    stream.frames += 1;
    stream.gap = Math.max(stream.gap, start - stream.lastStart);
    stream.lastStart = start;
    stream.end = Math.max(stream.end, end);
  }

  extents(): StreamExtent[] {
    return [...this.streams].map(([index, stream]) => ({
      mediaType: this.mediaTypes.get(index) ?? 'unknown',
      frames: stream.frames,
      endSeconds: stream.end,
      longestGapSeconds: stream.gap,
    }));
  }
}

function parseFraction(text: string): number {
  const [numerator, denominator = '1'] = text.trim().split('/');
  const value = Number(numerator) / Number(denominator);
  return Number.isFinite(value) ? value : 0;
}

/** Drops the memory addresses ffmpeg prints ("[h264 @ 0x55d…]"), which differ on every run. */
function errorLinesOf(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.replace(/ @ 0x[0-9a-f]+\]/, ']').trim())
    .filter((line) => line.length > 0);
}

function framesDecoded(decoded: Decoded): number {
  return decoded.streams.reduce((total, stream) => total + stream.frames, 0);
}

function decodedEnd(decoded: Decoded): number {
  return Math.max(0, ...decoded.streams.map((stream) => stream.endSeconds));
}

function streamEnd(decoded: Decoded, mediaType: string): number {
  return decoded.streams.find((stream) => stream.mediaType === mediaType)?.endSeconds ?? 0;
}

function roundMillis(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

/** Seconds to one decimal, as a number the catalogues put a unit to. */
function tenths(value: number): number {
  return Math.round(value * 10) / 10;
}
