// Runs ffprobe / ffmpeg as child processes (of the launcher, launcher.ts). Bad media must never crash
// the station, so a non-zero exit or a timeout is a result to judge, not an exception; only a missing
// binary throws, because that is a broken installation and would otherwise mark every recording as
// unplayable.
import { launch } from './launcher.ts';

export interface RunOptions {
  /** The process is killed with SIGKILL after this long; the result then has `timedOut: true`. */
  timeoutMs: number;
  /** Keep at most this many bytes of stdout and of stderr (the start, where the first errors are). */
  maxOutputBytes?: number;
  /** Receive stdout line by line instead of buffering it (for outputs that grow with the file). */
  onStdoutLine?: (line: string) => void;
  /**
   * Extra binary outputs: the i-th is the child's descriptor 3 + i (`pipe:3`, …), received here chunk
   * by chunk, or written by the launcher to the file named (never through this process's memory).
   */
  outputs?: (((chunk: Buffer) => void) | { file: string })[];
  /** Background work runs niced, so that copying and hashing come first. */
  niceness?: number;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Empty when `onStdoutLine` was given. */
  stdout: string;
  stderr: string;
  /** Some stdout or stderr was dropped because it passed `maxOutputBytes`. */
  outputTruncated: boolean;
  /** Per output written to a file, whether all of it was (false: disk full, folder gone). */
  outputsWritten: boolean[];
}

const defaultMaxOutputBytes = 1024 * 1024;

/**
 * Decoding for checks is background work: at the lowest priority it takes only what copying and
 * hashing leave over, so the recorders are copied and freed first.
 */
export const backgroundNiceness = 19;

export function ffprobeBinary(): string {
  return process.env.STATION_FFPROBE || 'ffprobe';
}

export function ffmpegBinary(): string {
  return process.env.STATION_FFMPEG || 'ffmpeg';
}

export function runFfprobe(args: string[], options: RunOptions): Promise<RunResult> {
  return runTool(ffprobeBinary(), ['-hide_banner', ...args], options);
}

export function runFfmpeg(args: string[], options: RunOptions): Promise<RunResult> {
  // -nostdin: ffmpeg otherwise reads the terminal for keys and can stall in the background.
  return runTool(ffmpegBinary(), ['-hide_banner', '-nostdin', ...args], options);
}

/**
 * ffmpeg reads "name:rest" as a protocol and "-x" as an option; the file: prefix makes any local
 * path mean that file.
 */
export function inputUrl(path: string): string {
  return `file:${path}`;
}

export function runTool(binary: string, args: string[], options: RunOptions): Promise<RunResult> {
  const limit = options.maxOutputBytes ?? defaultMaxOutputBytes;
  return new Promise((resolve, reject) => {
    const outputs = options.outputs ?? [];
    const files = outputs.map((output) => (typeof output === 'function' ? null : output.file));
    const child = launch(binary, args, { outputs: outputs.length, files, niceness: options.niceness });
    for (const [index, receive] of outputs.entries())
      if (typeof receive === 'function') child.outputs[index].on('data', receive);
    const stdout = new BoundedText(limit);
    const stderr = new BoundedText(limit);
    const lines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine, limit) : null;
    let timedOut = false;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: string) => (lines ? lines.push(chunk) : stdout.push(chunk)));
    child.stderr.on('data', (chunk: string) => stderr.push(chunk));

    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = error.code === 'ENOENT' ? ' (install ffmpeg or set STATION_FFMPEG / STATION_FFPROBE)' : '';
      reject(new Error(`cannot run ${binary}: ${error.message}${hint}`, { cause: error }));
    });

    // 'close' comes after the output streams end, so nothing written before exit is lost.
    child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null, written: boolean[] = []) => {
      clearTimeout(timer);
      lines?.end();
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.text,
        stderr: stderr.text,
        outputTruncated: stdout.truncated || stderr.truncated || (lines?.truncated ?? false),
        outputsWritten: written,
      });
    });
  });
}

/** Keeps the first `limit` characters pushed into it. */
class BoundedText {
  text = '';
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: string): void {
    const room = this.limit - this.text.length;
    if (chunk.length > room) this.truncated = true;
    if (room > 0) this.text += chunk.slice(0, room);
  }
}

/** Cuts a stream into lines; a single line longer than `limit` is cut short rather than buffered. */
class LineSplitter {
  private pending = '';
  truncated = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly limit: number,
  ) {}

  push(chunk: string): void {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    if (this.pending.length > this.limit) {
      this.pending = this.pending.slice(0, this.limit);
      this.truncated = true;
    }
    for (const line of parts) this.onLine(line);
  }

  end(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}
