// `station verify` against `sha256sum` over the same archive, in the same run, and the cost of the
// audit log on ingest.
//   node --import tsx bench/verify.ts            (2 GiB archive, keeps runs short)
//   BENCH_VERIFY_GIB=10 node --import tsx bench/verify.ts   (the 10 GiB figure of issue 6)
// Environment: BENCH_VERIFY_GIB (archive size), BENCH_VERIFY_FILE_MIB (size of each file, default 256),
// BENCH_INGEST_FILES (files ingested for the audit-cost part, default 20).
import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyArchive } from '../src/archive/fixity.ts';
import { loadConfig } from '../src/config/config.ts';
import { verifyAuditChain } from '../src/custody/audit-chain.ts';
import { appendAudit } from '../src/custody/audit-log.ts';
import { sealRecording, verifyRecordingSeals } from '../src/custody/recording-seal.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { makeVideo } from '../src/footage/generate.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { insertRecording, type NewRecording } from '../src/ledger/recordings.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import { dropCaches, mibPerSecond } from './support.ts';

const run = promisify(execFile);
const gib = Number(process.env.BENCH_VERIFY_GIB ?? 2);
const fileMib = Number(process.env.BENCH_VERIFY_FILE_MIB ?? 256);
const ingestFiles = Number(process.env.BENCH_INGEST_FILES ?? 20);
const stationBin = path.resolve('bin', 'station.js');

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: seconds(started) };
}

/** Random (incompressible) data written straight into the archive, hashed as it is written. */
async function writeArchivedFile(file: string, mebibytes: number): Promise<string> {
  const handle = await open(file, 'w', 0o444);
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let written = 0; written < mebibytes; written += 4) {
    randomFillSync(chunk);
    hash.update(chunk);
    await handle.write(chunk);
  }
  await handle.close();
  return hash.digest('hex');
}

function recordingRow(id: number, archivePath: string, sha256: string, sizeBytes: number): NewRecording {
  return {
    dockId: null,
    deviceId: null,
    sourcePath: path.basename(archivePath),
    sourceSize: sizeBytes,
    sourceMtime: null,
    sizeBytes,
    sha256,
    duplicateOf: null,
    archivePath,
    kind: 'video',
    start: null,
    end: null,
    startMs: null,
    endMs: null,
    startSource: null,
    clockOffsetSeconds: null,
    timeFlags: [],
    durationSeconds: null,
    date: '2026-11-26',
    officerId: null,
    badge: '010001',
    officerName: null,
    ingestedAt: new Date(Date.UTC(2026, 10, 26, 0, 0, id)).toISOString(),
    late: false,
    copiedAt: null,
    verifiedAt: null,
  };
}

/** A station whose archive holds `gib` GiB in files of `fileMib` MiB, each with a sealed ledger row. */
async function buildArchive(home: string): Promise<string[]> {
  const db = openDatabase(path.join(home, 'station.db'));
  const folder = path.join(home, 'archive', '2026-11-26', '010001');
  await mkdir(folder, { recursive: true });
  const count = Math.max(1, Math.round((gib * 1024) / fileMib));
  const files: string[] = [];
  for (let index = 1; index <= count; index++) {
    const archivePath = path.join('2026-11-26', '010001', `VID_${String(index).padStart(4, '0')}.mp4`);
    const file = path.join(home, 'archive', archivePath);
    const sha256 = await writeArchivedFile(file, fileMib);
    db.transaction(() => {
      const recording = insertRecording(db, recordingRow(index, archivePath, sha256, fileMib * 1024 * 1024));
      appendAudit(db, {
        actor: 'station',
        action: 'ingest',
        subjectType: 'recording',
        subjectId: recording.id,
        detail: { sha256, archivePath, seal: sealRecording(recording) },
      });
    })();
    files.push(file);
  }
  db.close();
  return files;
}

async function benchVerify(): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'bench-verify-'));
  try {
    console.log(`building a ${gib} GiB archive of ${fileMib} MiB files in ${home} …`);
    const files = await buildArchive(home);
    const bytes = files.length * fileMib * 1024 * 1024;
    const env = { ...process.env, STATION_HOME: home };
    const sha256sum = () => run('sha256sum', files, { maxBuffer: 64 * 1024 * 1024 });
    const stationVerify = async () => {
      const result = await run(process.execPath, [stationBin, 'verify'], { env }).catch((error) => error);
      if (result.code) throw new Error(`station verify failed: ${result.stdout}${result.stderr}`);
      return result;
    };
    const inProcess = async () => {
      const config = loadConfig(env);
      const station = await openStation({ config, logger: silentLogger });
      try {
        const report = await verifyArchive(station.db, station.archive);
        verifyAuditChain(station.db);
        verifyRecordingSeals(station.db);
        return report;
      } finally {
        station.close();
      }
    };

    // Warm: the files sit in the page cache, so this measures hashing, where the CPU is the limit.
    await sha256sum();
    const rounds: { sha256sum: number; verify: number; inProcess: number }[] = [];
    for (let round = 0; round < 2; round++) {
      const baseline = await timed(sha256sum);
      const cli = await timed(stationVerify);
      const library = await timed(inProcess);
      rounds.push({ sha256sum: baseline.seconds, verify: cli.seconds, inProcess: library.seconds });
    }
    const best = (key: keyof (typeof rounds)[number]) => Math.min(...rounds.map((round) => round[key]));
    console.log(
      `\nwarm page cache, ${files.length} files, ${(bytes / 1024 ** 3).toFixed(1)} GiB, ${os.availableParallelism()} cores`,
    );
    console.log(
      `  sha256sum                 ${best('sha256sum').toFixed(2)} s  ${mibPerSecond(bytes, best('sha256sum'))} MiB/s`,
    );
    console.log(
      `  station verify (CLI)      ${best('verify').toFixed(2)} s  ${mibPerSecond(bytes, best('verify'))} MiB/s`,
    );
    console.log(
      `  verify in-process         ${best('inProcess').toFixed(2)} s  ${mibPerSecond(bytes, best('inProcess'))} MiB/s`,
    );
    console.log(
      `  ratio sha256sum / station verify: ${(best('sha256sum') / best('verify')).toFixed(2)}x (target >= 2x)`,
    );

    // Cold: every byte comes from the disk again; the disk, not the hash, is then the limit.
    if (dropCaches()) {
      const baseline = await timed(sha256sum);
      dropCaches();
      const cli = await timed(stationVerify);
      console.log('\ncold page cache (caches dropped before each)');
      console.log(
        `  sha256sum                 ${baseline.seconds.toFixed(2)} s  ${mibPerSecond(bytes, baseline.seconds)} MiB/s`,
      );
      console.log(
        `  station verify (CLI)      ${cli.seconds.toFixed(2)} s  ${mibPerSecond(bytes, cli.seconds)} MiB/s`,
      );
      console.log(`  ratio: ${(baseline.seconds / cli.seconds).toFixed(2)}x`);
    } else console.log('\ncold page cache: skipped (dropping caches needs root)');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * The audit entry is written inside the ingest transaction that inserts the ledger row, so its cost
 * is what appendAudit (hash, seal, one more INSERT) adds to that transaction. Measured here as the
 * same transactions with and without it, against the time a real ingest takes per file.
 */
async function benchAuditCost(): Promise<void> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-audit-'));
  try {
    const source = path.join(folder, 'recorder');
    for (let index = 1; index <= ingestFiles; index++) {
      await makeVideo(path.join(source, `VID_${String(index).padStart(4, '0')}.mp4`), {
        seconds: 2,
        width: 320,
        height: 240,
        fps: 10 + index,
      });
    }
    const config = loadConfig({ STATION_HOME: path.join(folder, 'home') });
    const station = await openStation({ config, logger: silentLogger });
    const ingest = await timed(() => dockFolder(station, { sourceRoot: source, origin: 'bench' }));
    station.close();
    const archived = ingest.value.recordings.length;
    if (archived !== ingestFiles) throw new Error(`ingest archived ${archived} of ${ingestFiles}`);

    // Both kinds of transaction commit with an fsync (synchronous = FULL), whose time varies far more
    // than the audit entry costs; interleaved rounds and medians keep that noise out of the difference.
    const db = openDatabase(path.join(folder, 'transactions.db'));
    const template = recordingRow(1, 'x', '', ingest.value.recordings[0].sizeBytes);
    let serial = 0;
    const ledgerRow = () => {
      serial++;
      return { ...template, archivePath: `bench/${serial}.mp4`, sha256: String(serial).padStart(64, 'f') };
    };
    const plain = () => db.transaction(() => insertRecording(db, ledgerRow()))();
    const audited = () =>
      db.transaction(() => {
        const recording = insertRecording(db, ledgerRow());
        appendAudit(db, {
          actor: 'station',
          action: 'ingest',
          subjectType: 'recording',
          subjectId: recording.id,
          detail: {
            sha256: recording.sha256,
            archivePath: recording.archivePath,
            seal: sealRecording(recording),
          },
        });
      })();
    const perTransaction = (work: () => void) => {
      const started = process.hrtime.bigint();
      for (let index = 0; index < 50; index++) work();
      return seconds(started) / 50;
    };
    const samples = { plain: [] as number[], audited: [] as number[] };
    for (let round = 0; round < 9; round++) {
      samples.plain.push(perTransaction(plain));
      samples.audited.push(perTransaction(audited));
    }
    db.close();
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const withoutAudit = median(samples.plain);
    const withAudit = median(samples.audited);
    const perFileAudit = Math.max(0, withAudit - withoutAudit);
    const perFileIngest = ingest.seconds / archived;
    console.log(`\naudit log on ingest (${archived} real recordings, 320x240 2 s clips)`);
    console.log(`  ingest per file                        ${(perFileIngest * 1000).toFixed(1)} ms`);
    console.log(`  ledger transaction without audit entry ${(withoutAudit * 1000).toFixed(2)} ms (median)`);
    console.log(`  ledger transaction with audit entry    ${(withAudit * 1000).toFixed(2)} ms (median)`);
    console.log(
      `  audit cost: ${(perFileAudit * 1000).toFixed(3)} ms per file = ${((perFileAudit / perFileIngest) * 100).toFixed(2)}% of ingest (target < 2%)`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

await benchVerify();
await benchAuditCost();
