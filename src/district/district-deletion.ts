import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { stationActor } from '../compliance/deletion.ts';
import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import type { DistrictLedger } from './district-ledger.ts';
import { readLock } from './object-lock.ts';
import { withdrawUpload } from './outbox.ts';

export interface DistrictDeletionTarget {
  s3: S3Client;
  bucket: string;
  ledger: DistrictLedger;
  stationId: string;
}

export interface DistrictDeletionReport {
  deleted: number[];
  /** Deleted by the review, but the store still locks the version: tried again on a later pass. */
  waiting: { recordingId: number; retainUntil: string | null; legalHold: boolean }[];
}

interface ReviewedCopy {
  recordingId: number;
  objectKey: string;
  versionId: string;
  sha256: string;
  verified: number;
}

// Gone already: a pass that deleted the version and stopped before recording it.
const missing = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

/**
 * The district side of the deletion review (compliance/deletion.ts): a district copy is deleted only
 * when the station's review has deleted the recording, and only once the store's own lock on that
 * version has expired and no legal hold is on. Nothing else here deletes; the store refuses a locked
 * version anyway, this only keeps the station from asking before its time.
 */
export async function deleteReviewedCopies(
  db: Db,
  target: DistrictDeletionTarget,
  now: Date,
): Promise<DistrictDeletionReport> {
  const report: DistrictDeletionReport = { deleted: [], waiting: [] };
  const reviewed = db
    .prepare(
      `SELECT o.recording_id AS recordingId, o.object_key AS objectKey, o.version_id AS versionId, r.sha256,
         o.state = 'verified' AS verified
       FROM district_outbox o JOIN recordings r ON r.id = o.recording_id
       WHERE o.version_id IS NOT NULL AND o.district_deleted_at IS NULL
         AND EXISTS (SELECT 1 FROM deletion_proposals p WHERE p.recording_id = o.recording_id AND p.state = 'deleted')
       ORDER BY o.recording_id`,
    )
    .all() as ReviewedCopy[];
  for (const copy of reviewed) {
    const lock = await readLock(target.s3, target.bucket, copy.objectKey, copy.versionId).catch(
      (error: Error) => {
        if (missing.has(error.name)) return null;
        throw error;
      },
    );
    if (lock && (lock.legalHold || (lock.retainUntil && lock.retainUntil > now))) {
      report.waiting.push({
        recordingId: copy.recordingId,
        retainUntil: lock.retainUntil?.toISOString() ?? null,
        legalHold: lock.legalHold,
      });
      continue;
    }
    if (lock) {
      await target.s3.send(
        new DeleteObjectCommand({ Bucket: target.bucket, Key: copy.objectKey, VersionId: copy.versionId }),
      );
    }
    await target.ledger.markDeleted(target.stationId, copy.recordingId, now);
    db.transaction(() => {
      // A version that was never verified is owed nothing more: its row leaves the outbox.
      if (copy.verified) {
        db.prepare('UPDATE district_outbox SET district_deleted_at = ? WHERE recording_id = ?').run(
          now.toISOString(),
          copy.recordingId,
        );
      } else withdrawUpload(db, copy.recordingId);
      appendAudit(
        db,
        {
          actor: stationActor,
          action: 'district-delete',
          subjectType: 'recording',
          subjectId: copy.recordingId,
          detail: {
            objectKey: copy.objectKey,
            versionId: copy.versionId,
            sha256: copy.sha256,
            retainUntil: lock?.retainUntil?.toISOString() ?? null,
            verified: copy.verified === 1,
          },
        },
        now,
      );
    }).immediate();
    report.deleted.push(copy.recordingId);
  }
  return report;
}
