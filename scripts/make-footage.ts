// Makes a sample recorder volume to dock by hand or in a demo:
//   node --import tsx scripts/make-footage.ts OUT_DIR [--serial S] [--badge B] [--segments N] [--seconds N]
//                                                     [--start ISO] [--timezone ZONE]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeSampleRecorder } from '../src/footage/generate.ts';

const usage =
  'usage: make-footage.ts OUT_DIR [--serial S] [--badge B] [--segments N] [--seconds N] [--start ISO] [--timezone ZONE]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    serial: { type: 'string', default: 'A123456' },
    badge: { type: 'string', default: '012345' },
    segments: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    // Default: the recording ended an hour ago, so it is "today" and inside the 24-hour export window.
    start: { type: 'string' },
    timezone: { type: 'string', default: 'Asia/Shanghai' },
  },
});

const outDir = positionals[0];
const segments = Number(values.segments);
const segmentSeconds = Number(values.seconds);
if (!outDir || !Number.isInteger(segments) || segments < 1 || !(segmentSeconds > 0)) {
  console.error(usage);
  process.exit(2);
}
const start = values.start
  ? new Date(values.start)
  : new Date(Date.now() - 3600_000 - segments * segmentSeconds * 1000);
if (Number.isNaN(start.getTime())) {
  console.error(`--start is not a date: ${values.start}\n${usage}`);
  process.exit(2);
}

const volume = await makeSampleRecorder(resolve(outDir), {
  serial: values.serial,
  badge: values.badge,
  start,
  segments,
  segmentSeconds,
  timezone: values.timezone,
});
for (const recording of volume.recordings) {
  console.log(
    `${recording.relativePath}\t${recording.kind}\t${recording.start.toISOString()}\t${recording.end.toISOString()}`,
  );
}
for (const file of volume.otherFiles) console.log(`${file.relativePath}\tother`);
