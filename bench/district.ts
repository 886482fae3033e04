// District archive: the station's upload (multipart with per-part MD5, COMPLIANCE lock, full read-back
// and SHA-256 check, PostgreSQL row) against `rclone copy` of the same files to the same local Ceph,
// in the same run (rclone before and after the station, their mean the baseline; CPU of each side too); then the filtered search of a district ledger of many rows over 30 stations.
//   node --import tsx bench/district.ts
// Environment: BENCH_DISTRICT_GIB (upload set, default 2), BENCH_DISTRICT_FILE_MIB (each file, default 256),
// BENCH_DISTRICT_ROWS (district ledger rows, default 10000000; 0 skips), BENCH_DISTRICT_QUERIES (default 200).
// Starts its own throwaway Ceph and PostgreSQL (scripts/district-services.sh) unless DISTRICT_S3_ENDPOINT is set.
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { migrateDistrict } from '../src/district/district-migrations.ts';
import { requireDistrict } from '../src/district/district-settings.ts';
import { DistrictSync } from '../src/district/district-sync.ts';
import { createS3Client } from '../src/district/s3-client.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { insertRecording } from '../src/ledger/recordings.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';

const run = promisify(execFile);
const gib = Number(process.env.BENCH_DISTRICT_GIB ?? 2);
const fileMib = Number(process.env.BENCH_DISTRICT_FILE_MIB ?? 256);
const ledgerRows = Number(process.env.BENCH_DISTRICT_ROWS ?? 10_000_000);
const queries = Number(process.env.BENCH_DISTRICT_QUERIES ?? 200);
const script = path.resolve('scripts', 'district-services.sh');

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

async function services(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  if (process.env.DISTRICT_S3_ENDPOINT)
    return { env: process.env as Record<string, string>, stop: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-district-services-'));
  await run(script, ['start', dir], { timeout: 300_000 });
  const env: Record<string, string> = {};
  for (const line of (await readFile(path.join(dir, 'env'), 'utf8')).trim().split('\n')) {
    env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return { env, stop: async () => void (await run(script, ['stop', dir])) };
}

async function writeRandomFile(file: string, mebibytes: number): Promise<string> {
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

/** A station home whose archive holds the upload set, each file with its ledger row. */
async function buildStation(home: string): Promise<{ folder: string; bytes: number }> {
  const db = openDatabase(path.join(home, 'station.db'));
  const relative = path.join('2026-11-26', '010001');
  const folder = path.join(home, 'archive', relative);
  await mkdir(folder, { recursive: true });
  const count = Math.max(1, Math.round((gib * 1024) / fileMib));
  for (let index = 1; index <= count; index++) {
    const archivePath = path.join(relative, `VID_${String(index).padStart(4, '0')}.mp4`);
    const sha256 = await writeRandomFile(path.join(home, 'archive', archivePath), fileMib);
    const size = fileMib * 1024 * 1024;
    insertRecording(db, {
      dockId: null,
      deviceId: null,
      sourcePath: path.basename(archivePath),
      sourceSize: size,
      sourceMtime: null,
      sizeBytes: size,
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
      ingestedAt: new Date().toISOString(),
      late: false,
      copiedAt: null,
      verifiedAt: null,
    });
  }
  db.close();
  return { folder, bytes: count * fileMib * 1024 * 1024 };
}

async function createBucket(env: Record<string, string>, settings: ReturnType<typeof s3Of>, bucket: string) {
  const s3 = createS3Client({ s3: { ...settings, bucket } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  s3.destroy();
  return env;
}

function s3Of(env: Record<string, string>) {
  return {
    endpoint: env.DISTRICT_S3_ENDPOINT,
    region: 'default',
    bucket: '',
    accessKeyId: env.DISTRICT_S3_ACCESS_KEY_ID,
    secretAccessKey: env.DISTRICT_S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  };
}

async function benchUpload(env: Record<string, string>): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-district-'));
  try {
    const home = path.join(work, 'home');
    console.log(`building a ${gib} GiB archive of ${fileMib} MiB files …`);
    const { folder, bytes } = await buildStation(home);
    const mib = bytes / 1024 / 1024;
    const s3 = s3Of(env);
    await createBucket(env, s3, 'bench-station');

    // rclone's own defaults for S3 (4 transfers, multipart with 4 concurrent chunks of 5 MiB).
    // A CA bundle set for other AWS tools makes rclone refuse plain http to the local gateway.
    const { AWS_CA_BUNDLE: _bundle, ...inherited } = process.env;
    const rcloneEnv = {
      ...inherited,
      RCLONE_CONFIG_DISTRICT_TYPE: 's3',
      RCLONE_CONFIG_DISTRICT_PROVIDER: 'Ceph',
      RCLONE_CONFIG_DISTRICT_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_DISTRICT_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_DISTRICT_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    // rclone before and after the station, each into its own bucket: on a shared machine the load
    // drifts over minutes, and the mean of the two brackets the station's run (6 GiB fit in memstore).
    const rcloneRun = async (round: number) => {
      const bucket = `bench-rclone-${round}`;
      await createBucket(env, s3, bucket);
      const cpu = await cpuNow(env);
      const started = process.hrtime.bigint();
      const rclone = spawnSync('rclone', ['copy', folder, `district:${bucket}/set`], {
        env: rcloneEnv,
        stdio: 'inherit',
      });
      if (rclone.status !== 0) throw new Error('rclone copy failed');
      return { seconds: seconds(started), cpu: await cpuSince(env, cpu) };
    };
    const rcloneBefore = await rcloneRun(1);

    const override = path.join(work, 'district.json');
    await writeFile(
      override,
      JSON.stringify({
        station: { id: 'bench' },
        district: { s3: { ...s3, bucket: 'bench-station' }, postgresUrl: env.DISTRICT_POSTGRES_URL },
      }),
    );
    const config = loadConfig({ STATION_HOME: home, STATION_CONFIG: override });
    const station = await openStation({ config, logger: silentLogger });
    const sync = new DistrictSync({ ...station, settings: requireDistrict(config), logger: silentLogger });
    const client = await sync.ledger.pool.connect();
    await migrateDistrict(client);
    client.release();
    const stationCpuBefore = await cpuNow(env);
    const started = process.hrtime.bigint();
    const report = await sync.runOnce({ anchorEveryMs: 0 });
    const stationSeconds = seconds(started);
    const stationCpu = await cpuSince(env, stationCpuBefore);
    await sync.close();
    station.close();
    if (report.failed.length) throw new Error(`station upload failed: ${JSON.stringify(report.failed)}`);
    const rcloneAfter = await rcloneRun(2);

    const rcloneSeconds = (rcloneBefore.seconds + rcloneAfter.seconds) / 2;
    const rcloneRate = mib / rcloneSeconds;
    const stationRate = mib / stationSeconds;
    const cpuText = (cpu: CpuSeconds) =>
      `CPU ${cpu.total.toFixed(1)} s: client ${cpu.client.toFixed(1)}, radosgw ${cpu.gateway.toFixed(1)}, OSD ${cpu.osd.toFixed(1)}`;
    for (const [name, run] of [
      ['rclone copy (before)', rcloneBefore],
      ['rclone copy (after)', rcloneAfter],
    ] as const) {
      console.log(
        `${name.padEnd(24)}${run.seconds.toFixed(1)} s, ${(mib / run.seconds).toFixed(0)} MiB/s, ${cpuText(run.cpu)}`,
      );
    }
    console.log(
      `${'station upload'.padEnd(24)}${stationSeconds.toFixed(1)} s, ${stationRate.toFixed(0)} MiB/s, ${cpuText(stationCpu)} ` +
        `(${report.uploaded.length} files: multipart + MD5, COMPLIANCE lock read back, full read-back SHA-256, PostgreSQL row)`,
    );
    const rcloneCpu = (rcloneBefore.cpu.total + rcloneAfter.cpu.total) / 2;
    console.log(
      `ratio station / rclone: ${(stationRate / rcloneRate).toFixed(2)} (target ≥ 0.8; rclone the mean of its two runs); ` +
        `CPU per byte rclone / station: ${(rcloneCpu / stationCpu.total).toFixed(2)}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface CpuSeconds {
  client: number;
  gateway: number;
  osd: number;
  total: number;
}

// CPU seconds of this process (with its worker threads), of its waited-for children (rclone), and of
// the gateway and the OSD: what a copy costs the machine, whatever else shares its cores meanwhile.
async function cpuNow(env: Record<string, string>): Promise<CpuSeconds> {
  const ticks = async (file: string) => {
    const fields = (await readFile(file, 'utf8')).split(') ')[1].split(' ');
    return fields.map(Number);
  };
  const pidOf = async (file: string) => (await readFile(file, 'utf8')).trim();
  const self = await ticks('/proc/self/stat');
  const gateway = await ticks(`/proc/${await pidOf(env.DISTRICT_RGW_PID_FILE)}/stat`);
  const osdPidFile = path.join(path.dirname(env.DISTRICT_CEPH_CONF), 'run', 'osd.0.pid');
  const osd = await ticks(`/proc/${await pidOf(osdPidFile)}/stat`);
  // utime, stime are fields 14, 15 of /proc/PID/stat, cutime, cstime 16, 17 (here after the name).
  const hz = 100;
  const client = (self[11] + self[12] + self[13] + self[14]) / hz;
  const result = { client, gateway: (gateway[11] + gateway[12]) / hz, osd: (osd[11] + osd[12]) / hz };
  return { ...result, total: result.client + result.gateway + result.osd };
}

async function cpuSince(env: Record<string, string>, before: CpuSeconds): Promise<CpuSeconds> {
  const now = await cpuNow(env);
  return {
    client: now.client - before.client,
    gateway: now.gateway - before.gateway,
    osd: now.osd - before.osd,
    total: now.total - before.total,
  };
}

/** A district ledger of `ledgerRows` rows over 30 stations × 20 officers, then filtered searches. */
async function benchLedger(env: Record<string, string>): Promise<void> {
  const client = new pg.Client({ connectionString: env.DISTRICT_POSTGRES_URL });
  await client.connect();
  try {
    await client.query('DROP DATABASE IF EXISTS bench_ledger');
    await client.query('CREATE DATABASE bench_ledger');
  } finally {
    await client.end();
  }
  const url = new URL(env.DISTRICT_POSTGRES_URL);
  url.pathname = '/bench_ledger';
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await migrateDistrict(db);
    console.log(`generating ${ledgerRows.toLocaleString('en')} district ledger rows over 30 stations …`);
    let started = process.hrtime.bigint();
    await db.query(`INSERT INTO stations (id, name, zone)
      SELECT 'ft-' || lpad(s::text, 2, '0'), 'station ' || s, 'Asia/Shanghai' FROM generate_series(1, 30) s`);
    // Indexes after the load, as a bulk import would do it: the migrations' own, dropped and made again.
    const { rows: indexes } = await db.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE tablename = 'recordings' AND indexname <> 'recordings_pkey'`,
    );
    for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
    await db.query('ALTER TABLE recordings DROP CONSTRAINT recordings_pkey');
    // Rows in the order the district receives them: day by day, each station's ids rising. Row n is
    // station 1 + n % 30, officer 1 + (n / 30) % 20 of that station, on day n * 330 / rows of 2026.
    await db.query(
      `INSERT INTO recordings (station_id, recording_id, sha256, size_bytes, kind, start_time, end_time,
         duration_seconds, local_date, badge, officer_name, device_serial, source_path, playback, late, ingested_at,
         object_key, version_id, retain_until, legal_hold, uploaded_at, verified_at)
       SELECT 'ft-' || lpad((1 + n % 30)::text, 2, '0'), n / 30 + 1, md5(n::text) || md5((n + 1)::text), 1073741824, 'video',
         d::text, d::text, 600, d::date, lpad((1 + n % 30)::text, 2, '0') || lpad((1 + (n / 30) % 20)::text, 4, '0'),
         'officer', 'SN' || (n % 600), 'VID_' || n || '.mp4', 'ok', false, d::text,
         'key/' || n, 'v', d + interval '6 months', false, d, d
       FROM (SELECT n, timestamptz '2026-01-01 08:00+08' + (n * 330 / $1::bigint) * interval '1 day'
               + (n % 36000) * interval '1 second' AS d
             FROM generate_series(0, $1::bigint - 1) n) g`,
      [ledgerRows],
    );
    await db.query('ALTER TABLE recordings ADD PRIMARY KEY (station_id, recording_id)');
    for (const index of indexes) await db.query(index.definition);
    await db.query('VACUUM ANALYZE recordings');
    console.log(`  generated and indexed in ${seconds(started).toFixed(0)} s`);

    const { DistrictLedger } = await import('../src/district/district-ledger.ts');
    const ledger = new DistrictLedger(url.toString(), 'Asia/Shanghai');
    const timings: number[] = [];
    // The first `warmUp` queries open the pool's connection and load its catalogue caches, as a district
    // view that has been up a while already has; they are not timed.
    const warmUp = 20;
    for (let step = -warmUp; step < queries; step++) {
      const index = step < 0 ? queries - step : step;
      const station = `ft-${String(1 + (index % 30)).padStart(2, '0')}`;
      const day = 1 + (index % 28);
      const filter =
        index % 3 === 0
          ? {
              stationId: station,
              fromDate: `2026-03-${String(day).padStart(2, '0')}`,
              toDate: `2026-03-${String(day).padStart(2, '0')}`,
              limit: 200,
            }
          : index % 3 === 1
            ? {
                badge: `${station.slice(3)}${String(1 + (index % 20)).padStart(4, '0')}`,
                fromDate: '2026-05-01',
                toDate: '2026-05-31',
                limit: 200,
              }
            : {
                stationId: station,
                badge: `${station.slice(3)}${String(1 + (index % 20)).padStart(4, '0')}`,
                limit: 200,
              };
      started = process.hrtime.bigint();
      await ledger.ledger(filter);
      if (step >= 0) timings.push(seconds(started) * 1000);
    }
    await ledger.close();
    timings.sort((a, b) => a - b);
    const p = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
    console.log(
      `district ledger search (${queries} filtered queries, 200 rows each): p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms (target < 50 ms)`,
    );
  } finally {
    await db.end();
  }
}

const started = await services();
try {
  if (gib > 0) await benchUpload(started.env);
  if (ledgerRows > 0) await benchLedger(started.env);
} finally {
  await started.stop();
}
