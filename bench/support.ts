import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isoInZone } from '../src/time/zone.ts';

/** The station as installed: the compiled CLI (`npm run bench` builds it first). */
export const stationBin = path.resolve('bin', 'station.js');

/** Node's flags for `station serve`, as `npm start` gives them (package.json). */
export const serveNodeFlags: string[] = JSON.parse(readFileSync('package.json', 'utf8'))
  .scripts.start.split(' ')
  .filter((word: string) => word.startsWith('--'));

/** Drops the page cache so the next read comes from disk; needs root, otherwise says so. */
export function dropCaches(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/**
 * Incompressible data, so no layer below can cheat by compressing or deduplicating it. With `asMp4`
 * the noise sits inside an MP4 `mdat` box: ffprobe then reads the box headers, as it does on a real
 * recording, and rejects the file at once (no `moov`), instead of walking the noise for a `moov` box.
 */
export async function writeNoiseFile(
  file: string,
  mebibytes: number,
  seed: number,
  { asMp4 = false } = {},
): Promise<void> {
  const handle = await open(file, 'w');
  // AES-128-CTR keyed by the seed: the same bytes for the same seed, at GB/s (OpenSSL's AES-NI), where
  // a JavaScript generator took minutes for a few GiB on a busy machine.
  const key = createHash('sha256').update(`noise ${seed}`).digest().subarray(0, 16);
  const noise = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  let written = 0;
  const total = mebibytes * 1024 * 1024;
  while (written < total) {
    const chunk = noise.update(zeros.subarray(0, Math.min(zeros.length, total - written)));
    if (asMp4 && written === 0) writeMp4Boxes(chunk, total);
    await handle.write(chunk);
    written += chunk.length;
  }
  await handle.close();
}

/** `ftyp`, then one `mdat` (64-bit size) holding the rest of the file. */
function writeMp4Boxes(first: Buffer, fileBytes: number): void {
  first.writeUInt32BE(24, 0);
  first.write('ftypisom', 4, 'latin1');
  first.writeUInt32BE(512, 12);
  first.write('isomiso2', 16, 'latin1');
  first.writeUInt32BE(1, 24);
  first.write('mdat', 28, 'latin1');
  first.writeBigUInt64BE(BigInt(fileBytes - 24), 32);
}

/**
 * Footage as a body camera writes it: 1080p25 H.264 at about 10 Mbit/s with a keyframe a second and
 * mono AAC, index at the end. One 10-second clip is encoded once per bench run and looped (no
 * re-encoding) to at least `mebibytes`; `label` goes into the metadata so that no two files are equal.
 */
export function writeFootageFile(file: string, mebibytes: number, creationTime: string, label: string): void {
  const base = footageClip();
  const loops = Math.max(1, Math.ceil((mebibytes * 1024 * 1024) / statSync(base).size));
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', base, '-c', 'copy'],
    ...['-metadata', `creation_time=${creationTime}`, '-metadata', `comment=${label}`, '-f', 'mp4', file],
  ]);
}

let clip: string | undefined;

function footageClip(): string {
  if (clip) return clip;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-footage-'));
  clip = path.join(folder, 'clip.mp4');
  // The noise keeps the encoder at its bitrate, as a real scene does.
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25:duration=10'],
    ...[
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=10',
      '-vf',
      'noise=alls=12:allf=t',
    ],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25'],
    ...['-b:v', '10M', '-maxrate', '10M', '-bufsize', '10M', '-c:a', 'aac', '-b:a', '64k', '-ac', '1'],
    ...['-shortest', clip],
  ]);
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return clip;
}

/**
 * Wall-clock seconds, CPU seconds (user + system) and peak RSS of one command, through GNU time: the
 * peak is that of the command's own process, which Node's spawnSync does not report.
 */
export function timeCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; cpuSeconds: number; maxRssMb: number; stdout: string } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-time-'));
  const report = path.join(folder, 'time');
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', report, command, ...args], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    const [user, system, maxRssKb] = (readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '')
      .split(' ')
      .map(Number);
    return { seconds, cpuSeconds: user + system, maxRssMb: maxRssKb / 1024, stdout: result.stdout };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The 1-minute load average over the cores: on a shared machine, how far to trust a wall time. */
export function loadPerCore(): string {
  return (os.loadavg()[0] / os.availableParallelism()).toFixed(1);
}

/** Wall-clock seconds of a shell command. */
export function timeShell(script: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`baseline failed: ${script}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function mibPerSecond(bytes: number, seconds: number): string {
  return (bytes / 1024 / 1024 / seconds).toFixed(0);
}

/**
 * Keeps a bench's figures in bench/results/ (gitignored): the raw numbers as JSON, and the table the
 * bench printed appended to summary.md with the time and the machine's load, for the README.
 */
export function saveResults(name: string, data: unknown, summary: string): void {
  const folder = path.resolve('bench', 'results');
  mkdirSync(folder, { recursive: true });
  // The bench's own clock in the station's default zone, as every time a person reads.
  const at = isoInZone(new Date(), 'Asia/Shanghai');
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  writeFileSync(
    path.join(folder, `${name}-${at.replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify({ at, load, cores: os.availableParallelism(), ...(data as object) }, null, 2)}\n`,
  );
  appendFileSync(
    path.join(folder, 'summary.md'),
    `\n## ${name}, ${at} (load ${load} on ${os.availableParallelism()} cores)\n\n${summary}\n`,
  );
}

/** console.log that also keeps what it printed, for saveResults. */
export function printer(): { say: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return {
    say: (line) => {
      console.log(line);
      lines.push(line);
    },
    text: () => lines.join('\n'),
  };
}
