import { lstat } from 'node:fs/promises';
import type { Db } from '../ledger/database.ts';
import { archivedRecordings } from '../ledger/recordings.ts';
import { createLimiter } from '../util/limiter.ts';
import type { Archive } from './archive.ts';
import { hashFile } from './copy-file.ts';

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
  problems: FixityProblem[];
}

/** Re-reads every archived original and compares it with the hash taken when it was copied. */
export async function verifyArchive(
  db: Db,
  archive: Archive,
  options: { concurrency?: number } = {},
): Promise<FixityReport> {
  const recordings = archivedRecordings(db);
  const limit = createLimiter(options.concurrency ?? 2);
  const problems: FixityProblem[] = [];
  await Promise.all(
    recordings.map((recording) =>
      limit(async () => {
        const problem = await checkOne(archive, recording.id, recording.archivePath!, recording.sha256);
        if (problem) problems.push(problem);
      }),
    ),
  );
  problems.sort((a, b) => a.recordingId - b.recordingId);
  return { checked: recordings.length, ok: recordings.length - problems.length, problems };
}

async function checkOne(
  archive: Archive,
  recordingId: number,
  archivePath: string,
  expectedSha256: string,
): Promise<FixityProblem | null> {
  const base = { recordingId, archivePath, expectedSha256 };
  const file = archive.absolutePath(archivePath);
  const stats = await lstat(file).catch(() => null);
  if (!stats?.isFile())
    return { ...base, problem: 'missing', actualSha256: null, detail: stats ? 'not a regular file' : null };
  try {
    const actualSha256 = await hashFile(file);
    return actualSha256 === expectedSha256
      ? null
      : { ...base, problem: 'changed', actualSha256, detail: null };
  } catch (error) {
    return { ...base, problem: 'unreadable', actualSha256: null, detail: (error as Error).message };
  }
}
