// The dashboard under load: 1,000,000 ledger rows written straight into SQLite, then the ledger page
// and /api/ledger with a badge + date filter, each hammered by autocannon at 50 connections. Reports
// p95 against a baseline measured in the same run (a static file from the same server: HTTP alone),
// and ingest time of the same footage with and without browsers watching the progress stream.
// The station runs in a child process, so autocannon's own work does not count as the server's.
// Usage: node --import tsx bench/dashboard.ts [--rows 1000000] [--seconds 10]
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { createApiToken } from '../src/auth/api-tokens.ts';
import { createSession } from '../src/auth/sessions.ts';
import { addUser } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildDashboard } from '../src/dashboard/app.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { makeVideo } from '../src/footage/generate.ts';
import type { Db } from '../src/ledger/database.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
    child: { type: 'string' },
  },
});
const rowCount = Number(values.rows);
const seconds = Number(values.seconds);
const officers = 200;
const devices = 150;
const days = 730;
const targets = { page: 50, api: 20 };
const badgeOf = (index: number) => String(100000 + index);
// Real rows carry the playback checker's report, so the table is as large on disk as a real ledger.
const playbackReport = JSON.stringify({
  status: 'ok',
  declaredSeconds: 600,
  decodedSeconds: 600,
  checks: ['probe', 'container-size', 'keyframe-scan', 'audio', 'sample-start', 'length'].map((name) => ({
    name,
    ok: true,
    detail: `${name}: checked the whole file, nothing to report for this benchmark row`,
  })),
  errors: [],
});

/** Rows spread over two years, 200 officers and 150 recorders, as a busy team would leave them. */
function fillLedger(db: Db): void {
  const started = Date.now();
  // Only for the fill: the benchmark measures reads, and fsync per batch would take minutes.
  db.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  db.transaction(() => {
    const officer = db.prepare('INSERT INTO officers (badge, name, created_at) VALUES (?, ?, ?)');
    for (let index = 0; index < officers; index++) officer.run(badgeOf(index), `执法人员${index}`, now);
    const device = db.prepare('INSERT INTO devices (serial, first_seen_at, last_seen_at) VALUES (?, ?, ?)');
    for (let index = 0; index < devices; index++) device.run(`S${String(index).padStart(6, '0')}`, now, now);
  })();
  const insert = db.prepare(
    `INSERT INTO recordings (device_id, source_path, source_size, size_bytes, sha256, archive_path, kind, start_time,
       end_time, start_ms, end_ms, duration_seconds, local_date, officer_id, badge, officer_name, playback, ingested_at,
       late, copied_at, verified_at, probed_at, confirmed_at, confirmed_by, playback_detail)
     VALUES (?, ?, ?, ?, ?, ?, 'video', ?, ?, ?, ?, 600, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const firstDay = Date.parse('2025-01-01T00:00:00+08:00');
  const batch = 50_000;
  for (let from = 0; from < rowCount; from += batch) {
    db.transaction(() => {
      for (let index = from; index < Math.min(rowCount, from + batch); index++) {
        const officerIndex = index % officers;
        const startMs =
          firstDay + Math.floor((index / rowCount) * days) * 86_400_000 + (index % 600) * 60_000;
        const end = new Date(startMs + 600_000).toISOString();
        const localDate = new Date(startMs + 8 * 3600_000).toISOString().slice(0, 10);
        const confirmed = index % 3 === 0;
        insert.run(
          (index % devices) + 1,
          `DCIM/${index}.MP4`,
          50_000_000,
          50_000_000,
          index.toString(16).padStart(64, '0'),
          `${localDate}/${badgeOf(officerIndex)}/${index}.MP4`,
          new Date(startMs).toISOString(),
          end,
          startMs,
          startMs + 600_000,
          localDate,
          officerIndex + 1,
          badgeOf(officerIndex),
          `执法人员${officerIndex}`,
          index % 97 === 0 ? 'damaged' : 'ok',
          end,
          index % 50 === 0 ? 1 : 0,
          end,
          end,
          end,
          confirmed ? end : null,
          confirmed ? 'clerk' : null,
          playbackReport,
        );
      }
    })();
  }
  db.pragma('synchronous = FULL');
  // No ANALYZE: the station never runs it, so its ledger has no statistics. With them SQLite plans
  // these queries the same way, but re-plans each time a filter value is bound (its STAT4 samples).
  console.log(
    `filled ${rowCount.toLocaleString()} ledger rows in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

// ---- the station side (child process) ------------------------------------------------------------

async function serve(home: string): Promise<void> {
  const station = await openStation({ config: loadConfig({ STATION_HOME: home }), logger: silentLogger });
  const app = await buildDashboard(station);
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', async (message: { ingest?: string; stop?: boolean; cpu?: boolean }) => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMs: (user + system) / 1000 });
      return;
    }
    if (message.stop) {
      await app.close();
      station.close();
      process.exit(0);
    }
    if (!message.ingest) return;
    // The same footage again would be recognised as known: clear the ledger's memory of it first.
    station.db.exec("DELETE FROM dock_files; DELETE FROM recordings WHERE source_path LIKE 'DCIM/bench-%'");
    const started = process.hrtime.bigint();
    const report = await dockFolder(station, { sourceRoot: message.ingest, origin: 'bench' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    process.send?.({ seconds: elapsed, state: report.state, streams: app.dockStream.clientCount });
  });
  process.send?.({ baseUrl });
}

// ---- the load side (this process) ----------------------------------------------------------------

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/**
 * autocannon at `connections`; p95 from every response time, which autocannon's summary lacks.
 * At one connection the latency is the server's time per request; at 50 it adds the queue. The
 * server's CPU time per request does not depend on what else the machine runs, the load generator
 * included: it is the number to compare between runs.
 */
async function measure(
  child: ChildProcess,
  name: string,
  url: string,
  headers: Record<string, string>,
  connections = 50,
) {
  const cpuBefore = (await request(child, { cpu: true })).cpuMs as number;
  const times: number[] = [];
  let failures = 0;
  const instance = autocannon({ url, connections, duration: seconds, headers });
  instance.on('response', (_client: unknown, status: number, _bytes: number, time: number) => {
    if (status !== 200) failures++;
    times.push(time);
  });
  const result = await instance;
  const cpuMs = ((await request(child, { cpu: true })).cpuMs as number) - cpuBefore;
  times.sort((a, b) => a - b);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    name,
    connections,
    requests: times.length,
    perSecond: Math.round(result.requests.average),
    p50: round(percentile(times, 0.5)),
    p95: round(percentile(times, 0.95)),
    p99: round(percentile(times, 0.99)),
    failures: failures + result.errors,
    'server CPU ms/request': Number((cpuMs / Math.max(1, times.length)).toFixed(2)),
  };
}

function request(child: ChildProcess, message: object): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as Record<string, unknown>));
    child.send(message);
  });
}

/** Opens `count` progress streams as browsers on the docks page would. */
async function openStreams(baseUrl: string, cookie: string, count: number): Promise<http.ClientRequest[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<http.ClientRequest>((resolve) => {
          const stream = http.get(`${baseUrl}/docks/events`, { headers: { cookie } }, (response) => {
            response.on('data', () => {});
            resolve(stream);
          });
        }),
    ),
  );
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bwc-bench-dashboard-'));
  try {
    const station = await openStation({ config: loadConfig({ STATION_HOME: home }), logger: silentLogger });
    fillLedger(station.db);
    const clerk = await addUser(
      station.db,
      { name: 'clerk', role: 'clerk', password: 'bench-password' },
      new Date(),
    );
    const cookie = `station_session=${createSession(station.db, clerk.id, new Date()).token}`;
    const apiToken = createApiToken(station.db, clerk.id, 'bench', new Date()).token;
    station.close();

    const child = fork(fileURLToPath(import.meta.url), ['--child', home], { execArgv: ['--import', 'tsx'] });
    const { baseUrl } = (await new Promise((resolve) => child.once('message', resolve))) as {
      baseUrl: string;
    };
    const filter = `badge=${badgeOf(42)}&from=2026-03-01&to=2026-03-31`;
    const results = [
      await measure(child, 'baseline: static file', `${baseUrl}/static/docks.js`, {}),
      await measure(child, 'ledger page, no filter', `${baseUrl}/ledger`, { cookie }),
      await measure(child, 'ledger page, badge + dates', `${baseUrl}/ledger?${filter}`, { cookie }),
      await measure(child, '/api/ledger, badge + dates', `${baseUrl}/api/ledger?${filter}`, {
        authorization: `Bearer ${apiToken}`,
      }),
    ];
    for (const [name, url, headers] of [
      ['ledger page, badge + dates', `${baseUrl}/ledger?${filter}`, { cookie }],
      [
        '/api/ledger, badge + dates',
        `${baseUrl}/api/ledger?${filter}`,
        { authorization: `Bearer ${apiToken}` },
      ],
    ] as const)
      results.push(await measure(child, name, url, headers, 1));
    const baseline = results[0].p95 || 1;
    console.log(`\n${rowCount.toLocaleString()} rows, ${seconds} s each (times in ms)`);
    console.table(
      results.map((result) => ({ ...result, 'p95/baseline': (result.p95 / baseline).toFixed(1) })),
    );
    console.log(
      `targets: page p95 < ${targets.page} ms: ${results[2].p95 < targets.page ? 'met' : 'MISSED'}; ` +
        `API p95 < ${targets.api} ms: ${results[3].p95 < targets.api ? 'met' : 'MISSED'}`,
    );

    const source = path.join(home, 'recorder');
    for (let index = 0; index < 4; index++)
      await makeVideo(path.join(source, 'DCIM', `bench-${index}.mp4`), { seconds: 4, bitrateKbps: 20_000 });
    const quiet: number[] = [];
    const watched: number[] = [];
    for (let round = 0; round < 3; round++) {
      quiet.push((await request(child, { ingest: source })).seconds as number);
      const streams = await openStreams(baseUrl, cookie, 20);
      watched.push((await request(child, { ingest: source })).seconds as number);
      for (const stream of streams) stream.destroy();
    }
    const best = (list: number[]) => Math.min(...list);
    console.log(
      `ingest of the same footage, best of 3: ${best(quiet).toFixed(2)} s unwatched, ` +
        `${best(watched).toFixed(2)} s with 20 progress streams open (ratio ${(best(watched) / best(quiet)).toFixed(2)})`,
    );
    // The child exits without a reply; waiting for one would leave a top-level await unsettled (exit 13).
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ stop: true });
    await exited;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (values.child) await serve(values.child);
else await main();
