import { lstat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import type { Logger } from '../log/logger.ts';

interface VerifiedSource {
  recordingId: number;
  sourcePath: string;
  sourceSize: number;
  sourceMtime: string | null;
}

/**
 * The optional policy "free the recorder after a verified ingest". Only files this dock archived
 * itself, whose archive copy was re-read and matched (verified_at), and which still have the size and
 * time they had when copied, are deleted from the recorder; each deletion is one log line and one
 * audit entry. Anything else stays on the recorder.
 */
export async function deleteVerifiedSources(
  db: Db,
  dock: { dockId: number; root: string },
  logger: Logger,
  now: () => Date,
): Promise<number> {
  const sources = db
    .prepare(
      `SELECT r.id AS recordingId, r.source_path AS sourcePath, r.source_size AS sourceSize,
         r.source_mtime AS sourceMtime
       FROM dock_files f JOIN recordings r ON r.id = f.recording_id
       WHERE f.dock_id = ? AND f.state = 'done' AND r.duplicate_of IS NULL
         AND r.archive_path IS NOT NULL AND r.verified_at IS NOT NULL`,
    )
    .all(dock.dockId) as VerifiedSource[];
  let deleted = 0;
  for (const source of sources) {
    const file = path.join(dock.root, ...source.sourcePath.split('/'));
    const stats = await lstat(file).catch(() => null);
    if (
      !stats?.isFile() ||
      stats.size !== source.sourceSize ||
      stats.mtime.toISOString() !== source.sourceMtime
    ) {
      logger.warn({ file: source.sourcePath }, 'left on recorder: changed since it was archived');
      continue;
    }
    try {
      await unlink(file);
    } catch (error) {
      logger.warn({ file: source.sourcePath, err: error }, 'could not delete from recorder');
      continue;
    }
    deleted++;
    logger.info(
      { file: source.sourcePath, recordingId: source.recordingId },
      'deleted from recorder after verified archive copy',
    );
    appendAudit(
      db,
      {
        actor: 'station',
        action: 'source-deleted',
        subjectType: 'recording',
        subjectId: source.recordingId,
        detail: { sourcePath: source.sourcePath, dockId: dock.dockId },
      },
      now(),
    );
  }
  return deleted;
}
