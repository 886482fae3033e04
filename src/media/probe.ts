// What the container says about a file: from ffprobe, or for MP4/MOV the same answer read in-process
// (mp4-probe.ts). This reads headers and indexes only: a file can probe well and still fail to
// decode (a truncated MP4 with its index at the front declares its full length), so
// playback-check.ts decodes before anything is called playable.
import { inputUrl, runFfprobe } from './ffmpeg-run.ts';
import { probeMp4 } from './mp4-probe.ts';

export interface ProbeResult {
  ok: boolean; // ffprobe found at least one decodable stream
  error: string | null; // ffprobe error text (trimmed) or timeout message
  formatName: string | null;
  durationSeconds: number | null; // declared by container (format or longest stream)
  creationTime: string | null; // raw creation_time tag (format tags first, then stream tags), as ffprobe prints it
  video: { codec: string; width: number; height: number; frameRate: number | null } | null;
  audio: { codec: string; sampleRate: number | null; channels: number | null } | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
  streams?: FfprobeStream[];
}

const maxErrorLength = 2000;

export async function probe(path: string, options: { timeoutMs: number }): Promise<ProbeResult> {
  // MP4/MOV, what recorders write, is read in-process; everything else, and any MP4 it will not
  // answer for, by ffprobe.
  return (await probeMp4(path)) ?? ffprobe(path, options);
}

export async function ffprobe(path: string, options: { timeoutMs: number }): Promise<ProbeResult> {
  // -pattern_type none: a '%' in a photo's name must not be read as a numbered image sequence.
  const args = [
    '-v',
    'error',
    '-pattern_type',
    'none',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    inputUrl(path),
  ];
  const run = await runFfprobe(args, { timeoutMs: options.timeoutMs });
  const errorText = cleanErrorText(run.stderr);
  if (run.timedOut) {
    return { ...emptyResult(), error: `ffprobe timed out after ${options.timeoutMs} ms` };
  }
  const output = parseOutput(run.stdout);
  if (run.exitCode !== 0 || !output) {
    return { ...emptyResult(), error: errorText ?? `ffprobe exited with code ${run.exitCode}` };
  }
  return describe(output, errorText);
}

function describe(output: FfprobeOutput, errorText: string | null): ProbeResult {
  const streams = output.streams ?? [];
  // Cover art in an MP3 or M4A is a one-picture "video" stream; it is not footage.
  const videoStream = streams.find(
    (stream) => stream.codec_type === 'video' && stream.codec_name && stream.disposition?.attached_pic !== 1,
  );
  const audioStream = streams.find((stream) => stream.codec_type === 'audio' && stream.codec_name);
  const video = videoStream
    ? {
        codec: videoStream.codec_name ?? '',
        width: videoStream.width ?? 0,
        height: videoStream.height ?? 0,
        frameRate: parseRate(videoStream.avg_frame_rate) ?? parseRate(videoStream.r_frame_rate),
      }
    : null;
  const audio = audioStream
    ? {
        codec: audioStream.codec_name ?? '',
        sampleRate: parsePositive(audioStream.sample_rate),
        channels: audioStream.channels && audioStream.channels > 0 ? audioStream.channels : null,
      }
    : null;
  return {
    ok: video !== null || audio !== null,
    error: errorText,
    formatName: output.format?.format_name ?? null,
    durationSeconds: declaredDuration(output),
    creationTime: findCreationTime(output),
    video,
    audio,
  };
}

/** Trimmed, capped, and without the memory addresses ffprobe prints ("[mov,mp4 @ 0x55d…]"). */
function cleanErrorText(stderr: string): string | null {
  const text = stderr.replace(/ @ 0x[0-9a-f]+\]/g, ']').trim();
  return text ? text.slice(0, maxErrorLength) : null;
}

function emptyResult(): ProbeResult {
  return {
    ok: false,
    error: null,
    formatName: null,
    durationSeconds: null,
    creationTime: null,
    video: null,
    audio: null,
  };
}

function parseOutput(stdout: string): FfprobeOutput | null {
  try {
    const parsed: unknown = JSON.parse(stdout);
    return typeof parsed === 'object' && parsed !== null ? (parsed as FfprobeOutput) : null;
  } catch {
    return null;
  }
}

function declaredDuration(output: FfprobeOutput): number | null {
  const formatDuration = parsePositive(output.format?.duration);
  if (formatDuration !== null) return formatDuration;
  const streamDurations = (output.streams ?? [])
    .map((stream) => parsePositive(stream.duration))
    .filter((duration) => duration !== null);
  return streamDurations.length > 0 ? Math.max(...streamDurations) : null;
}

function findCreationTime(output: FfprobeOutput): string | null {
  const tagSets = [output.format?.tags, ...(output.streams ?? []).map((stream) => stream.tags)];
  for (const tags of tagSets) {
    const value = tagValue(tags, 'creation_time');
    if (value) return value;
  }
  return null;
}

/** Tag names differ in case between containers (Matroska writes CREATION_TIME). */
function tagValue(tags: Record<string, string> | undefined, name: string): string | null {
  if (!tags) return null;
  const key = Object.keys(tags).find((candidate) => candidate.toLowerCase() === name);
  return key ? tags[key] : null;
}

/** "30000/1001" → 29.97; "0/0" and garbage → null. */
function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [numerator, denominator = '1'] = rate.split('/');
  const value = Number(numerator) / Number(denominator);
  return Number.isFinite(value) && value > 0 ? value : null;
}

function parsePositive(text: string | undefined): number | null {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : null;
}
