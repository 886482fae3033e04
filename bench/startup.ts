// CLI start-up (target < 250 ms): `station --help`, a command on an empty home (it creates the
// ledger) and on a migrated one, against a bare `node -e 0` in the same run, which no CLI on Node
// can beat.
// Usage: node --import tsx bench/startup.ts [--runs 15]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPerCore, median, stationBin, timeCommand } from './support.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
const migratedHome = path.join(work, 'migrated');
execFileSync(process.execPath, [stationBin, 'officers', 'list'], {
  env: { ...process.env, STATION_HOME: migratedHome },
});

type Sample = { seconds: number; cpuSeconds: number; maxRssMb: number };
const cases: { label: string; run(index: number): Sample }[] = [
  { label: 'node -e 0 (baseline)', run: () => timeCommand(process.execPath, ['-e', '0']) },
  { label: 'station --help', run: () => timeCommand(process.execPath, [stationBin, '--help']) },
  {
    label: 'station officers list, empty home',
    run: (index) =>
      timeCommand(process.execPath, [stationBin, 'officers', 'list'], {
        ...process.env,
        STATION_HOME: path.join(work, `home-${index}`),
      }),
  },
  {
    label: 'station officers list, migrated home',
    run: () =>
      timeCommand(process.execPath, [stationBin, 'officers', 'list'], {
        ...process.env,
        STATION_HOME: migratedHome,
      }),
  },
];
const samples = cases.map(() => [] as Sample[]);
try {
  // Interleaved, so a burst of load on a shared machine hits every case alike.
  for (let index = 0; index < runs; index++)
    for (const [which, entry] of cases.entries()) samples[which].push(entry.run(index));
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nCLI start-up, ${runs} runs each, interleaved (load per core: ${loadPerCore()})\n`);
// CPU time (user + system) as well: on a machine shared with other work a wall time waits for the
// cores, the CPU a command spends does not.
console.log(
  '| command | fastest | median | minus node itself (median) | median / node | CPU (median) | CPU / node | peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|');
const ms = (value: number) => `${(value * 1000).toFixed(0)} ms`;
const nodeMedian = median(samples[0].map((sample) => sample.seconds));
const nodeCpu = median(samples[0].map((sample) => sample.cpuSeconds));
cases.forEach((entry, which) => {
  const seconds = samples[which].map((sample) => sample.seconds);
  const cpu = median(samples[which].map((sample) => sample.cpuSeconds));
  const peak = Math.max(...samples[which].map((sample) => sample.maxRssMb));
  console.log(
    `| ${entry.label} | ${ms(Math.min(...seconds))} | ${ms(median(seconds))} | ${which ? ms(median(seconds) - nodeMedian) : '—'} | ${(median(seconds) / nodeMedian).toFixed(2)} | ${ms(cpu)} | ${(cpu / nodeCpu).toFixed(2)} | ${peak.toFixed(0)} MB |`,
  );
});
