// Eight recorders docked at once under a real `station serve` (the compiled CLI, in its own process):
// from the move of the recorders into the folder dock to the last ledger row, against 8 parallel
// `dc3dd hash=sha256 hof=` (the forensic imager: hash while copying, verify the output) and 8 parallel
// `cp` + `sync` of the same data in the same run, with the page cache dropped before each (as root).
// Reports aggregate MiB/s, the time to the first 可以拔出 (safe to undock), and the station's peak RSS.
// Recorders are folders renamed into the station's folder dock, or with --exfat (root, exfatprogs)
// real exFAT images on loop devices mounted under a dock mount root, found through the mount table.
// The recorders hold real footage (1080p H.264 + AAC MP4, as body cameras write), so the playback
// checks decode as they would at shift end; --noise docks noise in MP4 boxes instead (no index: the
// station finds that at once and decodes nothing), to see the copy engine alone.
// The three are run in turn --runs times (3) on the same corpus, each station run on a fresh home, and
// the medians reported: on a shared VM one run of dc3dd alone moves by a third.
// Usage: node --import tsx bench/docks.ts [--recorders 8] [--mib 256] [--runs 3] [--chunk-kib 4096] [--exfat]
//   [--noise] [--dir DIR] [--profile DIR] (the station's CPU profiles, main thread and workers)
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import Database from 'better-sqlite3';
import { folderDockRoot } from '../src/dock/dock-service.ts';
import { type DockState, safeToUndockStates } from '../src/dock/dock-session.ts';
import { writeSimulatedState } from '../src/dock/simulated-driver.ts';
import {
  dropCaches,
  loadPerCore,
  median,
  mibPerSecond,
  printer,
  saveResults,
  serveNodeFlags,
  stationBin,
  timeShell,
  writeFootageFile,
  writeNoiseFile,
} from './support.ts';

const { values } = parseArgs({
  options: {
    recorders: { type: 'string', default: '8' },
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
    'chunk-kib': { type: 'string' },
    exfat: { type: 'boolean', default: false },
    noise: { type: 'boolean', default: false },
    dir: { type: 'string' },
    profile: { type: 'string' },
  },
});
const recorders = Number(values.recorders);
const runs = Math.max(1, Number(values.runs));
const run = promisify(execFile);
const filesPerRecorder = 4;

/** What the bench saw of the station, from the ledger and /proc. */
interface StationResult {
  /** From the first recorder moved in (or mounted) to the last recording row in the ledger. */
  ledgerSeconds: number;
  /** ... to the first dock whose recorder may be unplugged (可以拔出: every file copied and verified). */
  firstSafeSeconds: number;
  /** ... to every dock in a final state, playback checks included. */
  doneSeconds: number;
  maxRssMb: number;
  /** The highest RSS the bench saw (every 20 ms): when, and how many rows were in the ledger then. */
  peak: { rssMb: number; seconds: number; rows: number };
  cpu: { user: number; system: number; children: number };
  states: string[];
}

/** Where recorder i's files are prepared, and how the station is then shown it. */
interface Layout {
  home: string;
  sources: string;
  mediaRoot: string;
  loopDevices: string[];
}

const mibPerFile = Math.round(Number(values.mib) / filesPerRecorder);
const work = values.dir ?? path.resolve('bench/results/docks-work');
rmSync(work, { recursive: true, force: true });
const home = path.join(work, 'home');
const layout: Layout = {
  home,
  // Folder mode: prepared on the archive's file system, so docking is a rename.
  sources: path.join(work, 'sources'),
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
  const bytes = Array.from({ length: recorders }, (_, index) =>
    readdirSync(media(layout, index)).reduce(
      (sum, name) => sum + statSync(path.join(media(layout, index), name)).size,
      0,
    ),
  ).reduce((sum, size) => sum + size, 0);
  const floor = measureFloor();
  const measured: { baselines: ReturnType<typeof measureBaselines>; station: StationResult }[] = [];
  for (let round = 0; round < runs; round++) {
    const baselines = measureBaselines(work, layout);
    if (values.exfat)
      for (let index = 0; index < recorders; index++) unmount(recorderRoot(layout.sources, index));
    rmSync(layout.home, { recursive: true, force: true });
    const station = await measureStation(work, layout);
    undock(layout);
    measured.push({ baselines, station });
    console.log(
      `run ${round + 1}/${runs}: cp ${baselines.cpSeconds.toFixed(2)} s, dc3dd ${baselines.dc3ddSeconds.toFixed(2)} s, station ${station.ledgerSeconds.toFixed(2)} s`,
    );
  }
  report(bytes, measured, floor);
} finally {
  for (let index = 0; index < layout.loopDevices.length; index++) {
    unmount(recorderRoot(layout.sources, index));
    unmount(recorderRoot(layout.mediaRoot, index));
    execFileSync('losetup', ['-d', layout.loopDevices[index]]);
  }
  rmSync(work, { recursive: true, force: true });
}

/** The recorders back where the next run starts from: out of the folder dock, or off the dock mount root. */
function undock(layout: Layout): void {
  for (let index = 0; index < recorders; index++) {
    if (layout.loopDevices.length) {
      unmount(recorderRoot(layout.mediaRoot, index));
      mountExfat(layout.loopDevices[index], recorderRoot(layout.sources, index));
    } else {
      renameSync(recorderRoot(folderDockRoot(layout.home), index), recorderRoot(layout.sources, index));
    }
  }
}

function media(layout: Layout, index: number): string {
  return path.join(recorderRoot(layout.sources, index), 'DCIM', '100MEDIA');
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
    const name = path.join(folder, `${serial}_100234_202611260${file}0000_000${file + 1}.MP4`);
    if (values.noise) await writeNoiseFile(name, mibPerFile, index * 100 + file + 1, { asMp4: true });
    // The name's local start (Asia/Shanghai) as the container's UTC creation time.
    else writeFootageFile(name, mibPerFile, `2026-11-25T${16 + file}:00:00Z`, `${serial} ${file}`);
  }
}

/** 8 parallel `cp -r` + `sync`, and 8 parallel dc3dd (each recorder's files one after another) + `sync`. */
function measureBaselines(work: string, layout: Layout) {
  const copies = path.join(work, 'copies');
  const eachRecorder = (command: (index: number) => string) =>
    Array.from({ length: recorders }, (_, index) => `{ ${command(index)}; } &`).join(' ');
  const measure = (command: (index: number) => string) => {
    const cold = dropCaches();
    for (let index = 0; index < recorders; index++)
      mkdirSync(path.join(copies, `recorder-${index}`), { recursive: true });
    const seconds = timeShell(`${eachRecorder(command)} wait && sync`);
    rmSync(copies, { recursive: true, force: true });
    return { seconds, cold };
  };
  const cp = measure(
    (index) => `cp -r ${recorderRoot(layout.sources, index)}/. ${copies}/recorder-${index}/`,
  );
  const dc3dd = measure((index) =>
    readdirSync(media(layout, index))
      .map(
        (name) =>
          `dc3dd if=${path.join(media(layout, index), name)} hof=${copies}/recorder-${index}/${name} hash=sha256 verb=on nwspc=on 2>/dev/null`,
      )
      .join(' && '),
  );
  return { cold: cp.cold && dc3dd.cold, cpSeconds: cp.seconds, dc3ddSeconds: dc3dd.seconds };
}

/** The measured side: `station serve`, shown the recorders by rename or by mount, watched through its ledger. */
async function measureStation(work: string, layout: Layout): Promise<StationResult> {
  const configFile = path.join(work, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dock: {
        mountRoots: [layout.mediaRoot],
        settleSeconds: 0,
        maxParallel: recorders,
        simulatedRecorders: true,
      },
      ...(values['chunk-kib'] ? { ingest: { copyChunkBytes: Number(values['chunk-kib']) * 1024 } } : {}),
      http: { port: 0 },
      log: { level: 'info' },
    }),
  );
  dropCaches();
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  const child = spawn(process.execPath, [...profile, ...serveNodeFlags, stationBin, 'serve'], {
    env: { ...process.env, STATION_HOME: layout.home, STATION_CONFIG: configFile },
    // The station logs to stderr; its log is read until every service has started (a dock at a running
    // station is measured, not the station's own start), then let go.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
        if (log.includes('"msg":"station started"')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`station serve exited (${code}) before it had started`)));
    });
    child.stderr.resume();
    const db = new Database(path.join(layout.home, 'station.db'), { readonly: true });
    try {
      return await watchDocks(layout, db, child.pid!);
    } finally {
      db.close();
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function watchDocks(layout: Layout, db: Database.Database, pid: number): Promise<StationResult> {
  const folder = folderDockRoot(layout.home);
  const started = performance.now();
  for (let index = 0; index < recorders; index++) {
    if (layout.loopDevices.length) {
      // Not execFileSync: the recorders already mounted are being copied meanwhile.
      await mountExfatAsync(layout.loopDevices[index], recorderRoot(layout.mediaRoot, index));
    } else {
      await rename(recorderRoot(layout.sources, index), recorderRoot(folder, index));
    }
  }
  const expected = recorders * filesPerRecorder;
  const rows = db.prepare('SELECT COUNT(*) FROM recordings').pluck();
  const states = db.prepare('SELECT state FROM docks').pluck();
  const since = () => (performance.now() - started) / 1000;
  let ledgerSeconds = Number.NaN;
  let firstSafeSeconds = Number.NaN;
  const peak = { rssMb: 0, seconds: 0, rows: 0 };
  for (;;) {
    const now = states.all() as string[];
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
    if (rssMb > peak.rssMb) Object.assign(peak, { rssMb, seconds: since(), rows: Number(rows.get()) });
    // The dashboard's 可以拔出: copied and verified, playback checks may still run.
    if (
      Number.isNaN(firstSafeSeconds) &&
      now.some((state) => safeToUndockStates.includes(state as DockState))
    )
      firstSafeSeconds = since();
    if (Number.isNaN(ledgerSeconds) && Number(rows.get()) >= expected) ledgerSeconds = since();
    const final = now.filter((state) => ['done', 'device-removed', 'failed', 'interrupted'].includes(state));
    if (final.length === recorders) {
      const doneSeconds = since();
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const maxRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
      return {
        ledgerSeconds,
        firstSafeSeconds,
        doneSeconds,
        maxRssMb,
        peak,
        cpu: cpuSeconds(pid),
        states: final,
      };
    }
    await sleep(20);
  }
}

/**
 * The CPU the mandated work needs on this machine, whatever the code around it: SHA-256 of every byte
 * twice (the copy and the read-back, OpenSSL as the station uses it). `cp` does neither, so this floor
 * bounds the ratio to `cp` that any station could reach here.
 */
function measureFloor() {
  const sample = Buffer.alloc(64 * 1024 * 1024, 7);
  const before = process.cpuUsage();
  createHash('sha256').update(sample).update(sample).update(sample).update(sample).digest();
  const used = process.cpuUsage(before);
  const shaSecondsPerByte = (used.user + used.system) / 1e6 / (4 * sample.length);
  return { shaSecondsPerByte, cores: availableParallelism() };
}

function report(
  bytes: number,
  measured: { baselines: ReturnType<typeof measureBaselines>; station: StationResult }[],
  floor: ReturnType<typeof measureFloor>,
): void {
  const { say, text } = printer();
  for (const { station } of measured)
    if (station.states.some((state) => state !== 'done'))
      throw new Error(`docks ended ${station.states.join(', ')}`);
  const of = <T>(pick: (run: (typeof measured)[number]) => T) => measured.map(pick);
  const cold = of((run) => run.baselines.cold).every(Boolean);
  const cpSeconds = median(of((run) => run.baselines.cpSeconds));
  const dc3ddSeconds = median(of((run) => run.baselines.dc3ddSeconds));
  const ledgerSeconds = median(of((run) => run.station.ledgerSeconds));
  // Each run's ratio is of the baselines measured just before it, on the same disk in the same state.
  const dc3ddRatios = of((run) => run.baselines.dc3ddSeconds / run.station.ledgerSeconds);
  const cpRatios = of((run) => run.baselines.cpSeconds / run.station.ledgerSeconds);
  const maxRssMb = Math.max(...of((run) => run.station.maxRssMb));
  const peak = measured.map((run) => run.station.peak).sort((a, b) => b.rssMb - a.rssMb)[0];
  const source = values.exfat ? 'loop-mounted exFAT volumes' : 'folders renamed into the folder dock';
  say(
    `\n${recorders} recorders docked at once under station serve, ${(bytes / 2 ** 30).toFixed(2)} GiB from ${source} (${cold ? 'cold: page cache dropped before each' : 'not root: warm page cache'}; medians of ${measured.length} runs in turn; load per core ${loadPerCore()})\n`,
  );
  say('| job | wall | MiB/s |');
  say('|---|---|---|');
  const row = (label: string, seconds: number) =>
    say(`| ${label} | ${seconds.toFixed(2)} s | ${mibPerSecond(bytes, seconds)} |`);
  row(`${recorders} parallel cp + sync`, cpSeconds);
  row(`${recorders} parallel dc3dd hash=sha256 verb=on + sync`, dc3ddSeconds);
  row('station: move into the dock → last ledger row', ledgerSeconds);
  row('station: … → every dock done (playback checks too)', median(of((run) => run.station.doneSeconds)));
  const list = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  say(
    `\ndc3dd/station ${median(dc3ddRatios).toFixed(2)}x (target ≥ 2x; runs ${list(dc3ddRatios)}); cp/station ${median(cpRatios).toFixed(2)}x (aim 0.6x; runs ${list(cpRatios)})`,
  );
  say(
    `first 可以拔出 after ${median(of((run) => run.station.firstSafeSeconds)).toFixed(2)} s; station peak RSS ${maxRssMb.toFixed(0)} MB, the highest of the runs (target < 200 MB; seen ${peak.rssMb.toFixed(0)} MB at ${peak.seconds.toFixed(1)} s, ${peak.rows} rows in the ledger)`,
  );
  const cpu = (pick: (cpu: StationResult['cpu']) => number) =>
    median(of((run) => pick(run.station.cpu))).toFixed(1);
  say(
    `station CPU: ${cpu((c) => c.user)} s user + ${cpu((c) => c.system)} s system; its ffmpeg children (playback checks) ${cpu((c) => c.children)} s`,
  );
  const floorCpu = 2 * bytes * floor.shaSecondsPerByte;
  const floorSeconds = floorCpu / floor.cores;
  say(
    `CPU floor of the mandated work: 2 × SHA-256 at ${mibPerSecond(1, floor.shaSecondsPerByte)} MiB/s per core = ${floorCpu.toFixed(1)} core-seconds; on ${floor.cores} cores at best ${mibPerSecond(bytes, floorSeconds)} MiB/s`,
  );
  saveResults('docks', { bytes, recorders, runs: measured, floor }, text());
}

/**
 * CPU seconds of a process and of its children (ffprobe, ffmpeg): those it waited for, and those of
 * its children still running (the launcher, which starts ffprobe and ffmpeg for the station), from /proc.
 */
function cpuSeconds(pid: number | 'self' = 'self') {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = (index: number) => Number(fields[index - 3]) / 100;
  let children = ticks(16) + ticks(17);
  for (const child of livingChildren(pid)) {
    // One that ended meanwhile was waited for: it is in the fields above.
    const own = existsSync(`/proc/${child}/stat`) ? cpuSeconds(child) : null;
    if (own) children += own.user + own.system + own.children;
  }
  return { user: ticks(14), system: ticks(15), children };
}

function livingChildren(pid: number | 'self'): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}
