import { lstat } from 'node:fs/promises';
import type { FootageReader } from '../district/footage-reader.ts';
import type { Db } from '../ledger/database.ts';
import { archivedRecordings, type Recording } from '../ledger/recordings.ts';
import type { Archive } from './archive.ts';
import { HashPool } from './hash-pool.ts';

export interface FixityProblem {
  recordingId: number;
  archivePath: string;
  problem: 'missing' | 'changed' | 'unreadable';
  expectedSha256: string;
  actualSha256: string | null;
  detail: string | null;
}

export interface FixityReport {
  checked: number;
  ok: number;
  bytes: number;
  problems: FixityProblem[];
}

/** Re-reads every archived original and compares it with the hash taken when it was copied. */
export async function verifyArchive(
  db: Db,
  archive: Archive,
  options: { workers?: number; district?: FootageReader } = {},
): Promise<FixityReport> {
  const pool = new HashPool(options.workers);
  try {
    return await checkRecordings(archive, archivedRecordings(db), pool, options.district);
  } finally {
    await pool.close();
  }
}

/** Checks the given recordings' archived files, all at once; the pool bounds how many are read. */
export async function checkRecordings(
  archive: Archive,
  recordings: Recording[],
  pool: HashPool,
  district?: FootageReader,
): Promise<FixityReport> {
  const archived = recordings.filter((recording) => recording.archivePath !== null);
  const results = await Promise.all(
    archived.map((recording) => checkOne(archive, recording, pool, district)),
  );
  const problems = results.filter((problem): problem is FixityProblem => problem !== null);
  problems.sort((a, b) => a.recordingId - b.recordingId);
  return {
    checked: archived.length,
    ok: archived.length - problems.length,
    bytes: archived.reduce((sum, recording) => sum + recording.sizeBytes, 0),
    problems,
  };
}

async function checkOne(
  archive: Archive,
  recording: Recording,
  pool: HashPool,
  district?: FootageReader,
): Promise<FixityProblem | null> {
  const archivePath = recording.archivePath!;
  const base = { recordingId: recording.id, archivePath, expectedSha256: recording.sha256 };
  // Evicted locally: the district copy is the one to re-read.
  let districtSha256: string | null = null;
  try {
    districtSha256 = (await district?.districtHash({ id: recording.id, archivePath })) ?? null;
  } catch (error) {
    return {
      ...base,
      problem: 'unreadable',
      actualSha256: null,
      detail: `district copy: ${(error as Error).message}`,
    };
  }
  if (districtSha256)
    return districtSha256 === recording.sha256
      ? null
      : { ...base, problem: 'changed', actualSha256: districtSha256, detail: 'district copy' };
  const file = archive.absolutePath(archivePath);
  const stats = await lstat(file).catch(() => null);
  if (!stats?.isFile())
    return { ...base, problem: 'missing', actualSha256: null, detail: stats ? 'not a regular file' : null };
  try {
    const actualSha256 = await pool.hash(file);
    return actualSha256 === recording.sha256
      ? null
      : { ...base, problem: 'changed', actualSha256, detail: null };
  } catch (error) {
    return { ...base, problem: 'unreadable', actualSha256: null, detail: (error as Error).message };
  }
}
