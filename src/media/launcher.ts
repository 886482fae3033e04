import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

// ffprobe and ffmpeg are started by a small helper process, the launcher, not by the station itself.
// fork() write-protects every private page of the process that forks, and each page the station then
// writes faults once, with a TLB flush on every core: while copying, after each ffprobe start, that
// cost more CPU than hashing the copies (measured on the 2-core VM: writing 64 MiB after a spawn took
// 310 ms of CPU instead of 3 ms). The launcher is small and idle, so its forks cost little.
// It is plain CommonJS passed as source: it needs nothing from the station.
const launcherSource = `
const { spawn } = require('node:child_process');
const running = new Map();
const send = (message) => process.connected && process.send(message);
process.on('message', (message) => {
  const { id } = message;
  if (message.kill) return void running.get(id)?.kill('SIGKILL');
  const extra = Array.from({ length: message.outputs }, () => 'pipe');
  const child = spawn(message.binary, message.args, { stdio: ['ignore', 'pipe', 'pipe', ...extra] });
  if (message.niceness && child.pid) {
    try {
      require('node:os').setPriority(child.pid, message.niceness);
    } catch {
      // Not allowed to lower it (an unusual sandbox): it runs at normal priority.
    }
  }
  running.set(id, child);
  // Extra outputs are binary (PCM audio): base64 over the channel, in order, before 'close'; or,
  // where a file is named, written there by this process. A file that cannot be written (disk
  // full) is given up, its pipe still drained: the program's own work goes on.
  const files = [];
  for (let output = 0; output < message.outputs; output++) {
    const pipe = child.stdio[3 + output];
    const file = message.files?.[output];
    if (!file) {
      pipe.on('data', (chunk) => send({ id, output, data: chunk.toString('base64') }));
      continue;
    }
    const written = new Promise((resolve) => {
      const stream = require('node:fs').createWriteStream(file);
      stream.on('error', () => {
        pipe.unpipe(stream);
        pipe.resume();
        resolve(false);
      });
      stream.on('finish', () => resolve(true));
      pipe.pipe(stream);
    });
    files.push(written);
  }
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (stdout) => send({ id, stdout }));
  child.stderr.on('data', (stderr) => send({ id, stderr }));
  child.on('error', (error) => {
    running.delete(id);
    send({ id, error: { message: error.message, code: error.code } });
  });
  child.on('close', (exitCode, signal) => {
    running.delete(id);
    Promise.all(files).then((written) => send({ id, exitCode, signal, written }));
  });
});
// The station went away: so do its children.
process.on('disconnect', () => {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
});
`;

type LauncherReply =
  | { id: number; stdout: string }
  | { id: number; stderr: string }
  | { id: number; output: number; data: string }
  | { id: number; error: { message: string; code?: string } }
  | { id: number; exitCode: number | null; signal: NodeJS.Signals | null; written: boolean[] };

/**
 * A program run by the launcher, with the events of a ChildProcess that ffmpeg-run.ts uses: `stdout`
 * and `stderr` emit text, then `close` (with, per output written to a file, whether it was); or
 * `error` when it could not be started.
 */
export class LaunchedProcess extends EventEmitter {
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
  /** The program's descriptors 3, 4, … not written to a file: each emits Buffers. */
  readonly outputs: EventEmitter[];

  constructor(
    outputCount: number,
    private readonly onKill: () => void,
  ) {
    super();
    this.outputs = Array.from({ length: outputCount }, () => new EventEmitter());
  }

  kill(): void {
    this.onKill();
  }
}

let launcher: ChildProcess | null = null;
const running = new Map<number, LaunchedProcess>();
let nextId = 1;

/** Starts `binary` with `args` through the launcher (started at the first call, restarted if it died). */
export function launch(
  binary: string,
  args: string[],
  options: { outputs?: number; files?: (string | null)[]; niceness?: number } = {},
): LaunchedProcess {
  const helper = startedLauncher();
  const id = nextId++;
  const outputs = options.outputs ?? 0;
  const files = options.files ?? [];
  const launched = new LaunchedProcess(outputs, () => helper.connected && helper.send({ id, kill: true }));
  running.set(id, launched);
  helper.send({ id, binary, args, outputs, files, niceness: options.niceness ?? 0 });
  keepAlive(helper);
  return launched;
}

function startedLauncher(): ChildProcess {
  if (launcher?.connected) return launcher;
  const helper = spawn(process.execPath, ['-e', launcherSource], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  helper.on('message', (reply: LauncherReply) => received(reply));
  const gone = () => {
    if (launcher === helper) launcher = null;
    for (const [id, launched] of running) {
      running.delete(id);
      launched.emit('error', new Error('the launcher of ffmpeg and ffprobe stopped'));
    }
  };
  helper.on('exit', gone);
  helper.on('error', gone);
  launcher = helper;
  return helper;
}

function received(reply: LauncherReply): void {
  const launched = running.get(reply.id);
  if (!launched) return;
  if ('stdout' in reply) launched.stdout.emit('data', reply.stdout);
  else if ('stderr' in reply) launched.stderr.emit('data', reply.stderr);
  else if ('output' in reply) launched.outputs[reply.output]?.emit('data', Buffer.from(reply.data, 'base64'));
  else if ('error' in reply) {
    running.delete(reply.id);
    launched.emit('error', Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  } else {
    running.delete(reply.id);
    launched.emit('close', reply.exitCode, reply.signal, reply.written);
  }
  if (launcher) keepAlive(launcher);
}

// An idle launcher must not keep a finished command alive; one with programs running keeps the
// station waiting for them, as their own processes would.
function keepAlive(helper: ChildProcess): void {
  const channel = helper.channel as { ref(): void; unref(): void } | undefined;
  if (running.size > 0) {
    helper.ref();
    channel?.ref();
  } else {
    helper.unref();
    channel?.unref();
  }
}
