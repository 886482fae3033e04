// The first seconds of a recording's sound as the art. 18 check hears them: 16 kHz mono samples.
// The playback check decodes every recording's sound anyway, so it hands them over as a second output
// of its own ffmpeg run and they are kept here until the check claims them. What is not kept (after
// a restart, or past the budget) is decoded again on its own.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { backgroundNiceness, inputUrl, runFfmpeg } from './ffmpeg-run.ts';

export const sampleRate = 16000;

/** The first seconds of a file's sound as 16 kHz mono samples, or word that it has no sound track. */
export type AudioWindow = Int16Array | 'no-audio';

/** Fewer samples than one 30 ms frame of the detector is nothing heard at all. */
const minimumSamples = 480;

/**
 * ffmpeg output options that write input `input`'s first audio stream as raw 16 kHz mono to `target`
 * (`pipe:3`, or a `file:` URL); `seconds` limits the output (an input `-t` limits the reading).
 */
export function windowOutput(input: number, target: string, seconds?: number): string[] {
  return [
    '-map',
    `${input}:a:0`,
    ...(seconds === undefined ? [] : ['-t', String(seconds)]),
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    '-f',
    's16le',
    // Written in 32 kB blocks, not a flush per audio frame: a twentieth of the reads on our side.
    '-flush_packets',
    '0',
    target,
  ];
}

/** Decode errors partway still leave what decoded; only "nothing at all" is a failure. */
export function samplesOf(bytes: Buffer, why: string): Int16Array | Error {
  if (bytes.length < minimumSamples * 2) return new Error(`ffmpeg decoded no audio (${why})`);
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return new Int16Array(even.buffer.slice(even.byteOffset, even.byteOffset + even.length));
}

/**
 * Decodes the first `windowSeconds` of each file's first audio stream in one ffmpeg run (input `-t`:
 * only that much is read; only the audio is decoded). Starting ffmpeg costs more CPU than decoding
 * half a minute of audio, so the interruptions of a dock share one start. A run that one file
 * breaks is redone file by file, so that file alone fails: its result is then the Error.
 */
export async function decodeWindows(
  paths: string[],
  windowSeconds: number,
  timeoutMs: number,
): Promise<(AudioWindow | Error)[]> {
  const results = new Map<number, AudioWindow | Error>();
  let pending = paths.map((_, index) => index);
  while (pending.length > 0) {
    const run = await runDecoder(
      pending.map((index) => paths[index]),
      windowSeconds,
      timeoutMs,
    );
    if (run.withoutAudio !== null) {
      // ffmpeg stops at the first file without a sound track and names it; the rest go again.
      results.set(pending[run.withoutAudio], 'no-audio');
      pending = pending.filter((_, position) => position !== run.withoutAudio);
    } else if (run.clean || pending.length === 1) {
      for (const [position, index] of pending.entries())
        results.set(index, samplesOf(run.outputs[position], run.why));
      pending = [];
    } else {
      for (const index of pending)
        results.set(index, (await decodeWindows([paths[index]], windowSeconds, timeoutMs))[0]);
      pending = [];
    }
  }
  return paths.map((_, index) => results.get(index)!);
}

interface DecoderRun {
  clean: boolean;
  /** Position of the file ffmpeg found without an audio stream, if it stopped for that. */
  withoutAudio: number | null;
  outputs: Buffer[];
  why: string;
}

/** One ffmpeg run: file i's window goes as raw s16le to the child's descriptor 3 + i. */
async function runDecoder(paths: string[], windowSeconds: number, timeoutMs: number): Promise<DecoderRun> {
  const args = ['-v', 'error'];
  for (const path of paths) args.push('-t', String(windowSeconds), '-i', inputUrl(path));
  for (const position of paths.keys()) args.push(...windowOutput(position, `pipe:${3 + position}`));
  const chunks = paths.map(() => [] as Buffer[]);
  const run = await runFfmpeg(args, {
    timeoutMs,
    niceness: backgroundNiceness,
    outputs: chunks.map((received) => (chunk: Buffer) => received.push(chunk)),
  });
  const missing = /Stream map '(\d+):a:0' matches no streams/.exec(run.stderr);
  const ended = run.timedOut ? 'timed out' : run.signal ? `killed by ${run.signal}` : `exit ${run.exitCode}`;
  return {
    clean: run.exitCode === 0 && !run.timedOut,
    withoutAudio: missing ? Number(missing[1]) : null,
    outputs: chunks.map((received) => Buffer.concat(received)),
    why: `${ended}: ${run.stderr.trim().split('\n')[0] ?? ''}`,
  };
}

/** Bytes of windows kept at most (about 68 windows of 30 s); past it the oldest go first. */
const defaultBudgetBytes = 64 * 1024 * 1024;

/**
 * Windows handed over by the playback check, by recording id, until the spoken-reason check claims
 * them (the gaps, and so which segments resume one, are known only when the dock ends) or the
 * dock's end lets the rest go. Kept as files in the station home's `opening-audio/<pid>`, not in
 * memory: at shift end 8 docks × 4 segments × 30 s would hold 30 MB of samples in the daemon. One
 * folder per process, since a CLI ingest can run beside the daemon; a dead process's folder goes at
 * the next start: a restart loses the windows, and the check decodes again.
 */
export class OpeningAudio {
  /** Bytes of each kept window (0: the recording has no sound track), oldest first. */
  private readonly windows = new Map<number, number>();
  private bytes = 0;
  private readonly folder: string;
  private made = false;

  constructor(
    parent: string,
    private readonly budgetBytes = defaultBudgetBytes,
  ) {
    this.folder = path.join(parent, String(process.pid));
    let entries: string[] = [];
    try {
      entries = readdirSync(parent);
    } catch {
      return; // none yet
    }
    for (const entry of entries)
      if (entry === String(process.pid) || !isRunning(Number(entry)))
        rmSync(path.join(parent, entry), { recursive: true, force: true });
  }

  /**
   * Where the playback check's ffmpeg writes a recording's window (`file:` it for ffmpeg), then
   * `keep(id, 'written')`.
   */
  fileFor(recordingId: number): string {
    if (!this.made) {
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      this.made = true;
    }
    return this.file(recordingId);
  }

  /** 'written': the window is in `fileFor(recordingId)`; kept if it holds any sound at all. */
  keep(recordingId: number, window: 'written' | 'no-audio'): void {
    this.forgetWindow(recordingId, window === 'no-audio');
    let size = 0;
    if (window === 'written') {
      size = statSync(this.file(recordingId), { throwIfNoEntry: false })?.size ?? 0;
      if (size < minimumSamples * 2) return void rmSync(this.file(recordingId), { force: true });
    }
    this.windows.set(recordingId, size);
    this.bytes += size;
    for (const [oldest] of this.windows) {
      if (this.bytes <= this.budgetBytes) break;
      this.forget([oldest]);
    }
  }

  /** The window of a recording, handed over once. */
  take(recordingId: number): AudioWindow | undefined {
    const size = this.windows.get(recordingId);
    if (size === undefined) return undefined;
    let window: AudioWindow | undefined = 'no-audio';
    if (size > 0) window = readSamples(this.file(recordingId), size);
    this.forget([recordingId]);
    return window;
  }

  has(recordingId: number): boolean {
    return this.windows.has(recordingId);
  }

  forget(recordingIds: number[]): void {
    for (const id of recordingIds) this.forgetWindow(id, true);
  }

  private forgetWindow(recordingId: number, removeFile: boolean): void {
    const size = this.windows.get(recordingId);
    if (size === undefined) return;
    this.bytes -= size;
    this.windows.delete(recordingId);
    if (size > 0 && removeFile) rmSync(this.file(recordingId), { force: true });
  }

  private file(recordingId: number): string {
    return path.join(this.folder, `${recordingId}.s16`);
  }
}

/** Straight into the samples' own memory (one allocation); undefined if the file is not whole. */
function readSamples(file: string, size: number): Int16Array | undefined {
  const samples = new Int16Array(Math.floor(size / 2));
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    return readSync(descriptor, samples, 0, samples.byteLength, 0) === samples.byteLength
      ? samples
      : undefined;
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
