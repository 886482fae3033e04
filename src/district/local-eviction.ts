import { chmod, rm } from 'node:fs/promises';
import type { Archive } from '../archive/archive.ts';
import type { Db } from '../ledger/database.ts';
import { markEvicted } from './outbox.ts';

/**
 * With `district.keepLocalDays` set, the local copy of a recording older than that whose district copy
 * is verified and locked is removed. The ledger row stays (archive_path included, so retention and
 * review still see it); the outbox row says the district holds the only copy now.
 */
export async function evictLocalCopies(
  db: Db,
  archive: Archive,
  keepLocalDays: number,
  now: Date,
): Promise<number[]> {
  const before = new Date(now.getTime() - keepLocalDays * 86_400_000).toISOString();
  const candidates = db
    .prepare(
      `SELECT r.id, r.archive_path AS archivePath FROM district_outbox o JOIN recordings r ON r.id = o.recording_id
       WHERE o.state = 'verified' AND o.local_evicted_at IS NULL AND r.archive_path IS NOT NULL
         AND o.retain_until IS NOT NULL AND r.ingested_at < ? ORDER BY r.id`,
    )
    .all(before) as { id: number; archivePath: string }[];
  const evicted: number[] = [];
  for (const { id, archivePath } of candidates) {
    const file = archive.absolutePath(archivePath);
    await chmod(file, 0o644).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    // Marked first: a crash between the two leaves a row that reads from the district, never a
    // missing file the station believes it still has.
    markEvicted(db, id, now);
    await rm(file, { force: true });
    evicted.push(id);
  }
  return evicted;
}
