// Art. 18 spoken-reason check: what it adds to the ingest of the same footage, in one run. A recorder
// whose segments each resume after a 5-minute gap (every other one with the officer speaking: the
// worst case, every segment listened to) is docked the daemon's way — copy, hash, read-back, playback
// check, gaps, then the spoken reasons — into a fresh station per round, alternately without the
// check (the baseline, `openStation({ spokenReasons: false })`) and with it, each until the playback
// pool is idle. Target: the median with it costs no more than a few percent over the median without.
// On a shared machine the rounds' spread is larger than that, so the median of each round's own
// difference is given too, and the CPU of the checks once the dock has ended (all the check adds
// but the sound the playback check hands over, which costs its ffmpeg run no measurable CPU).
// Then, once, the checks are redone alone as after a restart, when the footage is decoded again.
// Usage: node --import tsx bench/speech.ts [--segments 6] [--seconds 60] [--size 1280x720] [--rounds 7]
import { mkdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { wallClockStamp } from '../src/footage/generate.ts';
import { makeSpokenFootage, reasonText } from '../src/footage/spoken-footage.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import { loadPerCore, median, printer, saveResults } from './support.ts';

const { values } = parseArgs({
  options: {
    segments: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '60' },
    size: { type: 'string', default: '1280x720' },
    rounds: { type: 'string', default: '7' },
  },
});
const segments = Number(values.segments);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const [width, height] = values.size.split('x').map(Number);
const work = path.resolve('bench/results/speech-work');
const recorder = path.join(work, 'recorder');
rmSync(work, { recursive: true, force: true });
mkdirSync(recorder, { recursive: true });

const zone = 'Asia/Shanghai';
console.log(`making ${segments} segments of ${seconds} s at ${values.size}, 25 fps, 4 Mbit/s`);
let start = new Date(Math.floor((Date.now() - 24 * 3600_000) / 1000) * 1000);
for (let index = 0; index < segments; index++) {
  const file = path.join(recorder, 'DCIM', `A123456_010001_${wallClockStamp(start, zone)}_${index + 1}.MP4`);
  await makeSpokenFootage(file, {
    seconds,
    background: 'pink-noise',
    speech: index % 2 === 1 ? { text: reasonText, offsetSeconds: 2, gainDb: -3 } : undefined,
    picture: { width, height, fps: 25, bitrateKbps: 4000 },
  });
  const end = new Date(start.getTime() + seconds * 1000);
  utimesSync(file, end, end);
  start = new Date(end.getTime() + 300_000);
}

const since = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
// CPU seconds of this process and of the ffmpeg/ffprobe runs it waited for (utime, stime, cutime,
// cstime in /proc): steadier than wall time on a shared machine.
const cpuSeconds = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return (
    stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .reduce((sum, ticks) => sum + Number(ticks), 0) / 100
  );
};

interface Sample {
  wall: number;
  cpu: number;
  /** From the dock's end until the pool is idle: with the check, the checks themselves. */
  afterDockCpu: number;
  afterDockWall: number;
}
const samples = { without: [] as Sample[], with: [] as Sample[] };
let states: string[] = [];
let redone = { checks: 0, wall: 0, cpu: 0 };

/** One dock into a fresh station, until the playback pool (and with it the spoken reasons) is idle. */
async function ingest(round: number, listening: boolean): Promise<void> {
  const home = path.join(work, `home-${round}-${listening ? 'with' : 'without'}`);
  const config = loadConfig({ STATION_HOME: home });
  const station = await openStation({ config, logger: silentLogger, spokenReasons: listening });
  try {
    const cpuFrom = cpuSeconds();
    const from = process.hrtime.bigint();
    const report = await dockFolder(station, { sourceRoot: recorder, origin: 'bench', recorderChecks: true });
    if (report.state !== 'done') throw new Error(`dock ended ${report.state}: ${report.stoppedReason}`);
    const dockEndCpu = cpuSeconds();
    const dockEnd = process.hrtime.bigint();
    await station.playback.whenIdle();
    const cpu = cpuSeconds();
    samples[listening ? 'with' : 'without'].push({
      wall: since(from),
      cpu: cpu - cpuFrom,
      afterDockCpu: cpu - dockEndCpu,
      afterDockWall: since(dockEnd),
    });
    const heard = station.db.prepare('SELECT state FROM spoken_reasons ORDER BY interruption_id').pluck();
    if (!listening) {
      if (heard.all().length) throw new Error('the baseline listened for spoken reasons');
      return;
    }
    states = heard.all() as string[];
    if (states.length !== segments - 1 || states.includes('failed'))
      throw new Error(`spoken reasons: ${states.join(', ')}`);
    if (round === rounds - 1) {
      // As after a restart: the playback check's sound is gone, so the checks decode again.
      station.db.prepare('DELETE FROM spoken_reasons').run();
      const cpuFrom = cpuSeconds();
      const from = process.hrtime.bigint();
      const checks = station.spokenReasons.enqueueWaiting();
      await station.playback.whenIdle();
      redone = { checks, wall: since(from), cpu: cpuSeconds() - cpuFrom };
    }
  } finally {
    station.close();
    rmSync(home, { recursive: true, force: true });
  }
}

// Interleaved, the order swapped every round, so a burst of load on the shared machine or a warmer
// cache falls on both sides alike.
for (let round = 0; round < rounds; round++) {
  for (const listening of round % 2 ? [true, false] : [false, true]) await ingest(round, listening);
}
rmSync(work, { recursive: true, force: true });

const cpuOf = (list: Sample[]) => list.map((sample) => sample.cpu);
const cpu = { without: median(cpuOf(samples.without)), with: median(cpuOf(samples.with)) };
const wall = {
  without: median(samples.without.map((sample) => sample.wall)),
  with: median(samples.with.map((sample) => sample.wall)),
};
const pairedCpu = median(samples.with.map((sample, round) => sample.cpu - samples.without[round].cpu));
const checksCpu = median(samples.with.map((sample) => sample.afterDockCpu));
const checksWall = median(samples.with.map((sample) => sample.afterDockWall));
const range = (list: number[]) => `${Math.min(...list).toFixed(1)}–${Math.max(...list).toFixed(1)}`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const share = (value: number) => `${value.toFixed(2)} s (${percent(value / cpu.without)})`;
const out = printer();
out.say(
  `interruptions: ${segments - 1} (${states.join(', ')}); ${rounds} rounds; load per core ${loadPerCore()}; CPU, and its share of the ingest without the check`,
);
out.say(
  [
    "| footage | ingest without the check: CPU median (range), wall | with it | added: difference of the medians | median of the rounds' differences | the checks after the dock, CPU and wall | a check redone after a restart |",
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${segments} × ${seconds} s ${values.size} | ${cpu.without.toFixed(2)} s (${range(cpuOf(samples.without))}), ${wall.without.toFixed(1)} s | ${cpu.with.toFixed(2)} s (${range(cpuOf(samples.with))}), ${wall.with.toFixed(1)} s | ${share(cpu.with - cpu.without)} | ${share(pairedCpu)} | ${share(checksCpu)}, ${checksWall.toFixed(1)} s | ${share(redone.cpu / Math.max(1, redone.checks))} |`,
  ].join('\n'),
);
saveResults('speech', { segments, seconds, size: values.size, rounds, samples, redone, states }, out.text());
