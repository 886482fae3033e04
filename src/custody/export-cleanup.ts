import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../ledger/database.ts';
import { findAccessRequest, grantTime, isActive } from './access-requests.ts';
import { appendAudit } from './audit-log.ts';
import { manifestName } from './evidence-export.ts';

/**
 * A copy grant ends, and so does the station's copy: every export folder whose request's grant is
 * over is removed (only a folder the export wrote, recognised by its manifest) and the removal is
 * an audit entry. The disc that was handed over is the released copy; the station keeps none.
 */
export async function removeEndedExports(db: Db, clockNow: Date): Promise<string[]> {
  const now = grantTime(db, clockNow);
  recordEndedGrants(db, now);
  const exports = db
    .prepare(
      `SELECT subject_id, detail FROM audit_log WHERE action = 'export' AND subject_type = 'access-request'
       ORDER BY id`,
    )
    .all() as { subject_id: string; detail: string }[];
  const removed = new Set(
    (
      db.prepare("SELECT detail FROM audit_log WHERE action = 'export-removed'").pluck().all() as string[]
    ).map((detail) => (JSON.parse(detail) as { outDir: string }).outDir),
  );
  const done: string[] = [];
  for (const entry of exports) {
    const { outDir } = JSON.parse(entry.detail) as { outDir: string };
    if (removed.has(outDir)) continue;
    const request = findAccessRequest(db, Number(entry.subject_id));
    if (!request || isActive(request, now)) continue;
    const present = await access(path.join(outDir, manifestName)).then(
      () => true,
      () => false,
    );
    if (present) await rm(outDir, { recursive: true, force: true });
    appendAudit(
      db,
      {
        actor: 'station',
        action: 'export-removed',
        subjectType: 'access-request',
        subjectId: request.id,
        detail: { outDir, validUntil: request.validUntil, present },
      },
      now,
    );
    removed.add(outDir);
    done.push(outDir);
  }
  return done;
}

/**
 * Each grant's end is an entry of its own once it has passed. Grants are never judged before the
 * newest entry (grantTime), so once this has run a clock set back cannot reopen them, even on a
 * station where nobody asked for anything since.
 */
export function recordEndedGrants(db: Db, now: Date): number {
  const ended = db
    .prepare(
      `SELECT id, valid_until FROM access_requests r WHERE state = 'approved' AND valid_until <= ?
         AND NOT EXISTS (SELECT 1 FROM audit_log WHERE subject_type = 'access-request'
           AND subject_id = CAST(r.id AS TEXT) AND action = 'grant-ended')
       ORDER BY id`,
    )
    .all(now.toISOString()) as { id: number; valid_until: string }[];
  for (const grant of ended) {
    appendAudit(
      db,
      {
        actor: 'station',
        action: 'grant-ended',
        subjectType: 'access-request',
        subjectId: grant.id,
        detail: { validUntil: grant.valid_until },
      },
      now,
    );
  }
  return ended.length;
}

/** The scheduled form: every ten minutes, so a folder outlives its grant by minutes at most. */
export function exportCleanupJob(deps: { db: Db }, cron = '*/10 * * * *') {
  return {
    name: 'export-cleanup',
    cron,
    async run(now: Date) {
      return { removed: (await removeEndedExports(deps.db, now)).length };
    },
  };
}
