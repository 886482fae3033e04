// `station ingest` (the CLI, fresh home) against the same job done by the forensic imager
// (`dc3dd hash=sha256 hof=` per file: hash while copying, verify the output) + `sync`, and against the
// physical floor `cp` + `sync`, on the same corpus in the same run. The page cache is dropped before
// every run (as root), so every contender reads the recorder from the disk.
// Usage: node --import tsx bench/ingest.ts [--gib 2] [--files 8] [--runs 3] [--dir /on/the/archive/disk]
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  dropCaches,
  loadPerCore,
  median,
  mibPerSecond,
  printer,
  saveResults,
  stationBin,
  timeCommand,
  writeNoiseFile,
} from './support.ts';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '2' },
    files: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string' },
  },
});
const totalMib = Math.round(Number(values.gib) * 1024);
const fileCount = Number(values.files);
const runs = Number(values.runs);
const work = values.dir ?? path.resolve('bench/results/ingest-work');
const source = path.join(work, 'recorder');
const copy = path.join(work, 'copy');
rmSync(work, { recursive: true, force: true });
mkdirSync(source, { recursive: true });

const mibPerFile = Math.round(totalMib / fileCount);
console.log(`making ${fileCount} files of ${mibPerFile} MiB in ${source}`);
for (let index = 0; index < fileCount; index++) {
  await writeNoiseFile(
    path.join(source, `DSJ0001_100234_2026112618${String(index).padStart(2, '0')}00_${index}.MP4`),
    mibPerFile,
    index + 1,
    { asMp4: true },
  );
}
const bytes = mibPerFile * fileCount * 1024 * 1024;
const files = readdirSync(source).map((name) => path.join(source, name));

type Sample = { seconds: number; maxRssMb: number };
const contenders: { label: string; run(): Sample }[] = [
  {
    label: 'cp + sync',
    run: () => timeCommand('bash', ['-c', `cp ${source}/* ${copy}/ && sync`]),
  },
  {
    label: 'dc3dd hash=sha256 verb=on per file + sync',
    run: () =>
      timeCommand('bash', [
        '-c',
        `${files.map((file) => `dc3dd if=${file} hof=${path.join(copy, path.basename(file))} hash=sha256 verb=on nwspc=on 2>/dev/null`).join(' && ')} && sync`,
      ]),
  },
  {
    label: 'station ingest (CLI, fresh home)',
    run: () => {
      const sample = timeCommand(process.execPath, [stationBin, 'ingest', source, '--json'], {
        ...process.env,
        STATION_HOME: path.join(copy, 'home'),
      });
      const report = JSON.parse(sample.stdout) as { state: string; recordings: unknown[] };
      if (report.state !== 'done' || report.recordings.length !== fileCount)
        throw new Error(`station ingest ended ${report.state} with ${report.recordings.length} recordings`);
      return sample;
    },
  },
];

let cold = true;
const samples = contenders.map(() => [] as Sample[]);
try {
  for (let round = 0; round < runs; round++) {
    // Rotating the order, so no contender always runs right after another one's writeback.
    for (let step = 0; step < contenders.length; step++) {
      const which = (round + step) % contenders.length;
      rmSync(copy, { recursive: true, force: true });
      mkdirSync(copy);
      cold = dropCaches() && cold;
      samples[which].push(contenders[which].run());
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const { say, text } = printer();
const wall = samples.map((list) => median(list.map((sample) => sample.seconds)));
const [cpWall, dc3ddWall, stationWall] = wall;
say(
  `\nIngest of ${(bytes / 2 ** 30).toFixed(2)} GiB in ${fileCount} files, median of ${runs} runs (${cold ? 'cold: page cache dropped before each' : 'not root: warm page cache'}; load per core ${loadPerCore()})\n`,
);
say('| job | wall | MiB/s | peak RSS |');
say('|---|---|---|---|');
contenders.forEach((contender, which) => {
  const peak = Math.max(...samples[which].map((sample) => sample.maxRssMb));
  say(
    `| ${contender.label} | ${wall[which].toFixed(2)} s | ${mibPerSecond(bytes, wall[which])} | ${peak.toFixed(0)} MB |`,
  );
});
say(
  `\nstation/dc3dd wall ${(stationWall / dc3ddWall).toFixed(2)} (target ≤ 0.67); station/cp+sync wall ${(stationWall / cpWall).toFixed(2)} (aim: cp+sync/station ≥ 0.6, here ${(cpWall / stationWall).toFixed(2)})`,
);
saveResults(
  'ingest',
  {
    bytes,
    files: fileCount,
    runs,
    cold,
    samples: Object.fromEntries(contenders.map((contender, which) => [contender.label, samples[which]])),
  },
  text(),
);
