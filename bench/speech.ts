// Art. 18 spoken-reason check against the ingest of the same footage, in one run: a recorder whose
// segments each resume after a 5-minute gap (every other one with the officer speaking) is docked
// the daemon's way (copy, hash, read-back, playback check, gaps), then every resumed segment is
// listened to again with nothing else running, queued together as at the end of a dock. Target: the
// checks cost no more than a few percent of the ingest of the same footage, measured in this run.
// Usage: node --import tsx bench/speech.ts [--segments 6] [--seconds 60] [--size 1280x720]
import { mkdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { wallClockStamp } from '../src/footage/generate.ts';
import { makeSpokenFootage, reasonText } from '../src/footage/spoken-footage.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';

const { values } = parseArgs({
  options: {
    segments: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '60' },
    size: { type: 'string', default: '1280x720' },
  },
});
const segments = Number(values.segments);
const seconds = Number(values.seconds);
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

const config = loadConfig({ STATION_HOME: path.join(work, 'home') });
const station = await openStation({ config, logger: silentLogger });
const since = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
// CPU seconds of this process and of the ffmpeg/ffprobe runs it waited for (utime, stime, cutime,
// cstime in /proc): steadier than wall time on a shared machine.
const cpuSeconds = () =>
  readFileSync('/proc/self/stat', 'utf8')
    .slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .reduce((sum, ticks) => sum + Number(ticks), 0) / 100;

let cpuFrom = cpuSeconds();
let from = process.hrtime.bigint();
const report = await dockFolder(station, { sourceRoot: recorder, origin: 'bench', recorderChecks: true });
const ingestSeconds = since(from);
const ingestCpu = cpuSeconds() - cpuFrom;
if (report.state !== 'done') throw new Error(`dock ended ${report.state}: ${report.stoppedReason}`);
await station.playback.whenIdle();

// Listened to again, alone, so nothing else shares the measured time.
const states = station.db.prepare('SELECT state FROM spoken_reasons ORDER BY interruption_id').pluck().all();
station.db.prepare('DELETE FROM spoken_reasons').run();
cpuFrom = cpuSeconds();
from = process.hrtime.bigint();
const checks = station.spokenReasons.enqueueWaiting();
await station.playback.whenIdle();
const speechSeconds = since(from);
const speechCpu = cpuSeconds() - cpuFrom;
station.close();
rmSync(work, { recursive: true, force: true });

console.log(`interruptions: ${checks} (${states.join(', ')})`);
console.log(
  [
    '| footage | ingest, wall / CPU | spoken-reason checks, wall / CPU | CPU per check | share of ingest, wall / CPU |',
    '| --- | --- | --- | --- | --- |',
    `| ${segments} × ${seconds} s ${values.size} | ${ingestSeconds.toFixed(1)} / ${ingestCpu.toFixed(1)} s | ${speechSeconds.toFixed(2)} / ${speechCpu.toFixed(2)} s | ${(speechCpu / Math.max(1, checks)).toFixed(2)} s | ${((speechSeconds / ingestSeconds) * 100).toFixed(1)}% / ${((speechCpu / ingestCpu) * 100).toFixed(1)}% |`,
  ].join('\n'),
);
