// Ingest throughput against `cp` + `sync` (the physical floor) and `cp` + `sha256sum`, in one run.
// Usage: node --import tsx bench/ingest.ts [--gib 2] [--files 8] [--dir /path/on/the/archive/disk]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropCaches, mibPerSecond, timeShell, writeNoiseFile } from './support.ts';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '2' },
    files: { type: 'string', default: '8' },
    dir: { type: 'string' },
  },
});
const totalMib = Math.round(Number(values.gib) * 1024);
const fileCount = Number(values.files);
const work = values.dir ?? path.resolve('bench/results/ingest-work');
const source = path.join(work, 'recorder');
rmSync(work, { recursive: true, force: true });
mkdirSync(source, { recursive: true });

console.log(`making ${fileCount} files, ${totalMib} MiB in all, in ${source}`);
for (let index = 0; index < fileCount; index++) {
  await writeNoiseFile(
    path.join(source, `DSJ0001_100234_2026112618${String(index).padStart(2, '0')}00_${index}.MP4`),
    Math.round(totalMib / fileCount),
    index + 1,
  );
}
const bytes = Math.round(totalMib / fileCount) * fileCount * 1024 * 1024;

function ingestOnce(label: string): { seconds: number; maxRssMb: number } {
  const home = path.join(work, `home-${label}`);
  rmSync(home, { recursive: true, force: true });
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.resolve('bench/ingest-child.ts'), source],
    {
      env: { ...process.env, STATION_HOME: home },
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  rmSync(home, { recursive: true, force: true });
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

function baseline(script: string): number {
  rmSync(path.join(work, 'copy'), { recursive: true, force: true });
  mkdirSync(path.join(work, 'copy'));
  const seconds = timeShell(script);
  rmSync(path.join(work, 'copy'), { recursive: true, force: true });
  return seconds;
}

const cpSync = `cp ${source}/* ${work}/copy/ && sync`;
const cpSha = `cp ${source}/* ${work}/copy/ && sync && sha256sum ${source}/* > /dev/null`;
const rows: string[] = [];
for (const cache of ['cold', 'warm'] as const) {
  const prepare = () => {
    if (cache === 'cold') {
      if (!dropCaches()) console.log('(not root: cold runs are warm)');
    } else {
      timeShell(`cat ${source}/* > /dev/null`);
    }
  };
  prepare();
  const cp = baseline(cpSync);
  prepare();
  const cpAndHash = baseline(cpSha);
  prepare();
  const station = ingestOnce(cache);
  rows.push(
    `| ${cache} | ${mibPerSecond(bytes, cp)} | ${mibPerSecond(bytes, cpAndHash)} | ${mibPerSecond(bytes, station.seconds)} | ${(cp / station.seconds).toFixed(2)}x | ${(cpAndHash / station.seconds).toFixed(2)}x | ${station.maxRssMb.toFixed(0)} MB |`,
  );
}
console.log(
  `\nIngest of ${(bytes / 2 ** 30).toFixed(2)} GiB in ${fileCount} files (MiB/s; ratio = baseline time / station time, higher is better)\n`,
);
console.log(
  '| cache | cp+sync | cp+sync+sha256sum | station ingest | vs cp+sync | vs cp+sha256sum | peak RSS |',
);
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
rmSync(work, { recursive: true, force: true });
