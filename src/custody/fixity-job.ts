import type { Archive } from '../archive/archive.ts';
import { checkRecordings, type FixityProblem } from '../archive/fixity.ts';
import { HashPool } from '../archive/hash-pool.ts';
import type { StationConfig } from '../config/config.ts';
import { FootageReader } from '../district/footage-reader.ts';
import type { Db } from '../ledger/database.ts';
import { type Recording, toRecording } from '../ledger/recordings.ts';
import { appendAudit } from './audit-log.ts';

export interface FixityJobDeps {
  db: Db;
  archive: Archive;
  config: Pick<StationConfig, 'fixity'> & Partial<Pick<StationConfig, 'station' | 'district'>>;
  /** Tests pass a small pool; the nightly run uses every core. */
  workers?: number;
}

export interface FixitySliceReport {
  /** Recording ids checked this run, from-to (inclusive). */
  fromRecordingId: number | null;
  toRecordingId: number | null;
  checked: number;
  bytes: number;
  budgetBytes: number;
  problems: FixityProblem[];
  /** This run reached the end of the archive; the next run starts a new cycle from the first file. */
  cycleCompleted: boolean;
}

const gibibyte = 1024 ** 3;
const batchSize = 64;

/**
 * The nightly re-verification: re-reads archived files from disk in id order, a configured number
 * of GB a night, resuming after the last file the previous night checked (the cursor is in the
 * database, so a restart changes nothing). The nightly amount is raised when it would not cover
 * the whole archive within the configured period. Every failure is a row in fixity_failures (the
 * alerts page lists the open ones) and an audit entry.
 */
export async function runFixitySlice(deps: FixityJobDeps, now: Date): Promise<FixitySliceReport> {
  const { db, archive } = deps;
  const cursor = readCursor(db, now);
  const budgetBytes = nightlyBudget(db, deps.config.fixity);
  const pool = new HashPool(deps.workers);
  // Recordings whose local copy was evicted are re-read from the district bucket.
  const { station, district: districtConfig } = deps.config;
  const district = station
    ? new FootageReader({ db, archive, config: { station, district: districtConfig } })
    : undefined;
  const report: FixitySliceReport = {
    fromRecordingId: null,
    toRecordingId: null,
    checked: 0,
    bytes: 0,
    budgetBytes,
    problems: [],
    cycleCompleted: false,
  };
  let after = cursor.lastRecordingId;
  try {
    while (report.bytes < budgetBytes) {
      const batch = takeBatch(db, after, budgetBytes - report.bytes);
      if (batch.length === 0) {
        report.cycleCompleted = true;
        break;
      }
      const result = await checkRecordings(archive, batch, pool, district);
      report.fromRecordingId ??= batch[0].id;
      report.toRecordingId = batch.at(-1)!.id;
      report.checked += result.checked;
      report.bytes += result.bytes;
      report.problems.push(...result.problems);
      after = report.toRecordingId;
      for (const problem of result.problems) recordFailure(db, problem, now);
      saveCursor(db, { lastRecordingId: after, addBytes: result.bytes }, now);
      if (!archivedAfter(db, after)) {
        report.cycleCompleted = true;
        break;
      }
    }
  } finally {
    await pool.close();
    district?.close();
  }
  if (report.cycleCompleted) completeCycle(db, now);
  return report;
}

/** The shape the compliance scheduler runs (src/compliance/schedules.ts). */
export function fixityJob(deps: FixityJobDeps, cron = '30 1 * * *') {
  return { name: 'fixity', cron, run: (now: Date) => runFixitySlice(deps, now) };
}

export interface FixityFailure {
  id: number;
  recordingId: number;
  archivePath: string;
  problem: FixityProblem['problem'];
  expectedSha256: string;
  actualSha256: string | null;
  detail: string | null;
  detectedAt: string;
}

export function openFixityFailures(db: Db): FixityFailure[] {
  const rows = db
    .prepare('SELECT * FROM fixity_failures WHERE resolved_at IS NULL ORDER BY id')
    .all() as Record<string, unknown>[];
  return rows.map((row) => ({
    id: row.id as number,
    recordingId: row.recording_id as number,
    archivePath: row.archive_path as string,
    problem: row.problem as FixityProblem['problem'],
    expectedSha256: row.expected_sha256 as string,
    actualSha256: row.actual_sha256 as string | null,
    detail: row.detail as string | null,
    detectedAt: row.detected_at as string,
  }));
}

function nightlyBudget(db: Db, fixity: StationConfig['fixity']): number {
  const total = Number(
    db
      .prepare('SELECT COALESCE(SUM(size_bytes), 0) FROM recordings WHERE archive_path IS NOT NULL')
      .pluck()
      .get(),
  );
  return Math.max(Math.ceil(fixity.gigabytesPerNight * gibibyte), Math.ceil(total / fixity.periodDays));
}

// Always at least one file, so a file larger than the whole budget is still checked, alone.
function takeBatch(db: Db, afterId: number, bytesLeft: number): Recording[] {
  const rows = db
    .prepare('SELECT * FROM recordings WHERE archive_path IS NOT NULL AND id > ? ORDER BY id LIMIT ?')
    .all(afterId, batchSize) as Record<string, unknown>[];
  const batch: Recording[] = [];
  let bytes = 0;
  for (const recording of rows.map(toRecording)) {
    if (batch.length > 0 && bytes + recording.sizeBytes > bytesLeft) break;
    batch.push(recording);
    bytes += recording.sizeBytes;
  }
  return batch;
}

function archivedAfter(db: Db, afterId: number): boolean {
  return (
    db.prepare('SELECT 1 FROM recordings WHERE archive_path IS NOT NULL AND id > ? LIMIT 1').get(afterId) !==
    undefined
  );
}

interface Cursor {
  lastRecordingId: number;
}

function readCursor(db: Db, now: Date): Cursor {
  db.prepare(
    'INSERT INTO fixity_cursor (id, last_recording_id, cycle_started_at) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING',
  ).run(now.toISOString());
  db.prepare(
    'UPDATE fixity_cursor SET cycle_started_at = COALESCE(cycle_started_at, ?), last_run_at = ?',
  ).run(now.toISOString(), now.toISOString());
  return {
    lastRecordingId: Number(db.prepare('SELECT last_recording_id FROM fixity_cursor').pluck().get()),
  };
}

function saveCursor(db: Db, progress: { lastRecordingId: number; addBytes: number }, now: Date): void {
  db.prepare(
    'UPDATE fixity_cursor SET last_recording_id = ?, cycle_bytes = cycle_bytes + ?, last_run_at = ? WHERE id = 1',
  ).run(progress.lastRecordingId, progress.addBytes, now.toISOString());
}

function completeCycle(db: Db, now: Date): void {
  db.prepare(
    `UPDATE fixity_cursor SET last_recording_id = 0, cycle_bytes = 0, cycle_started_at = NULL,
       last_cycle_completed_at = ? WHERE id = 1`,
  ).run(now.toISOString());
}

export interface FixityCycle {
  lastRecordingId: number;
  cycleStartedAt: string | null;
  cycleBytes: number;
  lastCycleCompletedAt: string | null;
  lastRunAt: string | null;
}

export function fixityCycle(db: Db): FixityCycle | null {
  const row = db.prepare('SELECT * FROM fixity_cursor WHERE id = 1').get() as
    | Record<string, unknown>
    | undefined;
  if (!row) return null;
  return {
    lastRecordingId: row.last_recording_id as number,
    cycleStartedAt: row.cycle_started_at as string | null,
    cycleBytes: row.cycle_bytes as number,
    lastCycleCompletedAt: row.last_cycle_completed_at as string | null,
    lastRunAt: row.last_run_at as string | null,
  };
}

// A file found bad stays one open failure until someone resolves it, not one new alert per night.
function recordFailure(db: Db, problem: FixityProblem, now: Date): void {
  db.transaction(() => {
    const open = db
      .prepare('SELECT 1 FROM fixity_failures WHERE recording_id = ? AND problem = ? AND resolved_at IS NULL')
      .get(problem.recordingId, problem.problem);
    if (open) return;
    db.prepare(
      `INSERT INTO fixity_failures (recording_id, archive_path, problem, expected_sha256, actual_sha256, detail, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      problem.recordingId,
      problem.archivePath,
      problem.problem,
      problem.expectedSha256,
      problem.actualSha256,
      problem.detail,
      now.toISOString(),
    );
    appendAudit(
      db,
      {
        actor: 'station',
        action: 'fixity-failure',
        subjectType: 'recording',
        subjectId: problem.recordingId,
        detail: {
          problem: problem.problem,
          archivePath: problem.archivePath,
          actualSha256: problem.actualSha256,
        },
      },
      now,
    );
  }).immediate();
}
