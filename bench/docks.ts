// Eight simulated recorders docked at once: aggregate copy throughput against parallel `cp` of the same
// data in the same run, time from a recorder appearing to its first chunk copied, and the station's
// peak RSS. The station runs in a child process so its memory is its own.
// Recorders are folders renamed into the station's folder dock, or with --exfat (root, exfatprogs)
// real exFAT images on loop devices mounted under a dock mount root, found through the mount table.
// Usage: node --import tsx bench/docks.ts [--recorders 8] [--mib 256] [--chunk-kib 4096] [--exfat] [--dir DIR]
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { writeSimulatedState } from '../drivers/simulated.ts';
import { folderDockRoot } from '../src/dock/dock-service.ts';
import { FakeUsbWatcher } from '../src/dock/fake-usb-watcher.ts';
import { silentLogger } from '../src/log/logger.ts';
import { dropCaches, mibPerSecond, timeShell, writeNoiseFile } from './support.ts';

const { values } = parseArgs({
  options: {
    recorders: { type: 'string', default: '8' },
    mib: { type: 'string', default: '256' },
    'chunk-kib': { type: 'string' },
    exfat: { type: 'boolean', default: false },
    dir: { type: 'string' },
    child: { type: 'string' },
  },
});
const recorders = Number(values.recorders);
const run = promisify(execFile);
const filesPerRecorder = 4;

interface ChildResult {
  copySeconds: number;
  dockSeconds: number;
  firstChunkSeconds: number[];
  maxRssMb: number;
  cpu: { user: number; system: number; childUser: number; childSystem: number };
  states: string[];
}

/** Where recorder i's files are prepared, and how the station is then shown it. */
interface Layout {
  home: string;
  sources: string;
  mediaRoot: string;
  loopDevices: string[];
}

if (values.child) await runStation(JSON.parse(values.child) as Layout);
else await runBenchmark();

async function runBenchmark(): Promise<void> {
  const mibPerFile = Math.round(Number(values.mib) / filesPerRecorder);
  const work = values.dir ?? path.resolve('bench/results/docks-work');
  rmSync(work, { recursive: true, force: true });
  const home = path.join(work, 'home');
  const layout: Layout = {
    home,
    // Folder mode: prepared on the archive's file system, so docking is a rename.
    sources: values.exfat ? path.join(work, 'staging') : path.join(folderDockRoot(home), '.sources'),
    mediaRoot: path.join(work, 'media'),
    loopDevices: [],
  };
  try {
    console.log(
      `making ${recorders} recorders of ${mibPerFile * filesPerRecorder} MiB each in ${layout.sources}`,
    );
    for (let index = 0; index < recorders; index++) {
      const root = path.join(layout.sources, `recorder-${index}`);
      mkdirSync(root, { recursive: true });
      if (values.exfat) layout.loopDevices.push(mountNewExfatImage(work, index, mibPerFile, root));
      await writeRecorder(root, index, mibPerFile);
    }
    const bytes = recorders * filesPerRecorder * mibPerFile * 1024 * 1024;
    const baselines = measureBaselines(work, layout);
    const floor = measureFloor(path.join(recorderRoot(layout.sources, 0), 'DCIM', '100MEDIA'));
    if (values.exfat)
      for (let index = 0; index < recorders; index++) unmount(recorderRoot(layout.sources, index));
    const station = measureStation(work, layout);
    report(bytes, baselines, station, floor);
  } finally {
    for (let index = 0; index < layout.loopDevices.length; index++) {
      unmount(recorderRoot(layout.sources, index));
      unmount(recorderRoot(layout.mediaRoot, index));
      execFileSync('losetup', ['-d', layout.loopDevices[index]]);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

function recorderRoot(parent: string, index: number): string {
  return path.join(parent, `recorder-${index}`);
}

function mountNewExfatImage(work: string, index: number, mibPerFile: number, mountPoint: string): string {
  const image = path.join(work, `recorder-${index}.img`);
  execFileSync('truncate', ['-s', `${mibPerFile * filesPerRecorder + 64}M`, image]);
  execFileSync('mkfs.exfat', ['-L', `REC${index}`, image], { stdio: 'ignore' });
  const loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  mountExfat(loop, mountPoint);
  return loop;
}

function mountExfat(loop: string, mountPoint: string): void {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'exfat', loop, mountPoint], { stdio: 'ignore' });
  } catch {
    execFileSync('mount.exfat-fuse', [loop, mountPoint], { stdio: 'ignore' });
  }
}

async function mountExfatAsync(loop: string, mountPoint: string): Promise<void> {
  mkdirSync(mountPoint, { recursive: true });
  await run('mount', ['-t', 'exfat', loop, mountPoint]).catch(() =>
    run('mount.exfat-fuse', [loop, mountPoint]),
  );
}

function unmount(mountPoint: string): void {
  spawnSync('umount', [mountPoint], { stdio: 'ignore' });
}

async function writeRecorder(root: string, index: number, mibPerFile: number): Promise<void> {
  const folder = path.join(root, 'DCIM', '100MEDIA');
  mkdirSync(folder, { recursive: true });
  const serial = `DSJ${String(index).padStart(4, '0')}`;
  await writeSimulatedState(root, {
    serial,
    badge: '100234',
    model: 'DSJ-SIM',
    clockOffsetSeconds: 0,
    batteryPercent: 90,
  });
  for (let file = 0; file < filesPerRecorder; file++) {
    const name = `${serial}_100234_202611260${file}0000_000${file + 1}.MP4`;
    await writeNoiseFile(path.join(folder, name), mibPerFile, index * 100 + file + 1, { asMp4: true });
  }
}

/** Parallel `cp` of every recorder, then `sync`; and the same with sha256sum of each copy. */
function measureBaselines(work: string, layout: Layout) {
  const copies = path.join(work, 'copies');
  const eachRecorder = (command: (index: number) => string) =>
    Array.from({ length: recorders }, (_, index) => `{ ${command(index)}; } &`).join(' ');
  const copy = (index: number) => `cp -r ${recorderRoot(layout.sources, index)} ${copies}/`;
  const measure = (command: (index: number) => string) => {
    dropCaches();
    mkdirSync(copies);
    const seconds = timeShell(`${eachRecorder(command)} wait && sync`);
    rmSync(copies, { recursive: true, force: true });
    return seconds;
  };
  const cold = dropCaches();
  const cpSeconds = measure(copy);
  // The forensic habit by hand: copy, then hash the copy. The station hashes while copying and re-reads.
  const cpHashSeconds = measure(
    (index) => `${copy(index)} && sha256sum ${copies}/recorder-${index}/DCIM/100MEDIA/* > /dev/null`,
  );
  return { cold, cpSeconds, cpHashSeconds };
}

function measureStation(work: string, layout: Layout): ChildResult {
  dropCaches();
  const configFile = path.join(work, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dock: { mountRoots: [layout.mediaRoot], settleSeconds: 0, maxParallel: recorders },
      ...(values['chunk-kib'] ? { ingest: { copyChunkBytes: Number(values['chunk-kib']) * 1024 } } : {}),
      http: { port: 0 },
      log: { level: 'warn' },
    }),
  );
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.resolve('bench/docks.ts'),
      '--recorders',
      String(recorders),
      '--child',
      JSON.stringify(layout),
    ],
    {
      env: { ...process.env, STATION_HOME: layout.home, STATION_CONFIG: configFile },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  const station = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ChildResult;
  if (station.states.some((state) => state !== 'done'))
    throw new Error(`docks ended ${station.states.join(', ')}`);
  return station;
}

/**
 * The CPU the mandated work needs on this machine, whatever the code around it: SHA-256 of every byte
 * twice (the copy and the read-back, OpenSSL as the station uses it) and one ffprobe start per file.
 * `cp` does neither, so this floor bounds the ratio to `cp` that any station could reach here.
 */
function measureFloor(folder: string) {
  const sample = Buffer.alloc(64 * 1024 * 1024, 7);
  const before = process.cpuUsage();
  createHash('sha256').update(sample).update(sample).update(sample).update(sample).digest();
  const used = process.cpuUsage(before);
  const shaSecondsPerByte = (used.user + used.system) / 1e6 / (4 * sample.length);
  const file = path.join(folder, readdirSync(folder)[0]);
  const probes = 8;
  const children = cpuSeconds();
  for (let index = 0; index < probes; index++) {
    spawnSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  }
  const after = cpuSeconds();
  const probeSeconds =
    (after.childUser + after.childSystem - children.childUser - children.childSystem) / probes;
  return { shaSecondsPerByte, probeSeconds, cores: availableParallelism() };
}

function report(
  bytes: number,
  baselines: ReturnType<typeof measureBaselines>,
  station: ChildResult,
  floor: ReturnType<typeof measureFloor>,
): void {
  const firstChunk = [...station.firstChunkSeconds].sort((a, b) => a - b);
  const ratio = (seconds: number) => `${(seconds / station.copySeconds).toFixed(2)}x`;
  const source = values.exfat ? 'loop-mounted exFAT volumes' : 'folders renamed into the folder dock';
  console.log(
    `\n${recorders} recorders docked at once, ${(bytes / 2 ** 30).toFixed(2)} GiB from ${source} (${baselines.cold ? 'cold' : 'warm'} page cache)\n`,
  );
  console.log(
    '| parallel cp+sync | parallel cp+sha256sum+sync | station copy | vs cp (target ≥ 0.85x) | vs cp+sha256sum | until every dock done | appear → first chunk, median / max (target < 1 s) | peak RSS (target < 200 MB) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${mibPerSecond(bytes, baselines.cpSeconds)} MiB/s | ${mibPerSecond(bytes, baselines.cpHashSeconds)} MiB/s | ${mibPerSecond(bytes, station.copySeconds)} MiB/s | ${ratio(baselines.cpSeconds)} | ${ratio(baselines.cpHashSeconds)} | ${station.dockSeconds.toFixed(1)} s | ${firstChunk[Math.floor(firstChunk.length / 2)].toFixed(3)} / ${firstChunk.at(-1)!.toFixed(3)} s | ${station.maxRssMb.toFixed(0)} MB |`,
  );
  const { user, system, childUser, childSystem } = station.cpu;
  console.log(
    `\nstation CPU: ${user.toFixed(1)} s user + ${system.toFixed(1)} s system; its ffprobe/ffmpeg children ${(childUser + childSystem).toFixed(1)} s`,
  );
  const files = recorders * filesPerRecorder;
  const floorCpu = 2 * bytes * floor.shaSecondsPerByte + files * floor.probeSeconds;
  const floorSeconds = floorCpu / floor.cores;
  console.log(
    `CPU floor of the mandated work: 2 × SHA-256 at ${mibPerSecond(1, floor.shaSecondsPerByte)} MiB/s per core + ${files} ffprobe starts at ${(floor.probeSeconds * 1000).toFixed(0)} ms = ${floorCpu.toFixed(1)} core-seconds; on ${floor.cores} cores at best ${mibPerSecond(bytes, floorSeconds)} MiB/s, ${(baselines.cpSeconds / floorSeconds).toFixed(2)}x of cp`,
  );
  console.log(
    '\n"station copy": from the first recorder appearing to the last file archived (copy, hash, fsync, re-read);',
  );
  console.log(
    '"until every dock done" adds the playback checks (noise files: ffprobe rejects them at once).',
  );
}

/** The measured side: a real station with its dock service; recorders appear by rename or by mount. */
async function runStation(layout: Layout): Promise<void> {
  const { openStation } = await import('../src/station.ts');
  const { DockService } = await import('../src/dock/dock-service.ts');
  const { findDock } = await import('../src/ledger/docks.ts');
  const station = await openStation({ logger: silentLogger });
  const docks = new DockService({ station, usb: new FakeUsbWatcher(), logger: silentLogger });
  await docks.start();
  const appearedAt = new Map<string, number>();
  const firstChunkAt = new Map<string, number>();
  let lastFileAt = 0;
  const states: string[] = [];
  const allDone = new Promise<void>((resolve) => {
    station.events.on('dock.done', (done) => {
      states.push(done.state);
      if (states.length === recorders) resolve();
    });
  });
  station.events.on('file.progress', (progress) => {
    const root = findDock(station.db, progress.dockId)!.sourcePath;
    if (!firstChunkAt.has(root)) firstChunkAt.set(root, performance.now());
  });
  station.events.on('file.done', () => {
    lastFileAt = performance.now();
  });
  const folder = folderDockRoot(station.config.home);
  for (let index = 0; index < recorders; index++) {
    if (layout.loopDevices.length) {
      const root = recorderRoot(layout.mediaRoot, index);
      // Not execFileSync: a blocked event loop would delay the recorders already mounted.
      await mountExfatAsync(layout.loopDevices[index], root);
      appearedAt.set(root, performance.now());
    } else {
      const root = recorderRoot(folder, index);
      await rename(recorderRoot(layout.sources, index), root);
      appearedAt.set(root, performance.now());
    }
  }
  await allDone;
  const started = Math.min(...appearedAt.values());
  const result: ChildResult = {
    copySeconds: (lastFileAt - started) / 1000,
    dockSeconds: (performance.now() - started) / 1000,
    firstChunkSeconds: [...appearedAt].map(
      ([root, at]) => ((firstChunkAt.get(root) ?? Number.NaN) - at) / 1000,
    ),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpu: cpuSeconds(),
    states,
  };
  await docks.stop();
  station.close();
  console.log(JSON.stringify(result));
}

/** CPU seconds of this process and of the children it waited for (ffprobe, ffmpeg), from /proc. */
function cpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const ticks = (index: number) => Number(fields[index - 3]) / 100;
  return { user: ticks(14), system: ticks(15), childUser: ticks(16), childSystem: ticks(17) };
}
