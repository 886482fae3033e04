import { createHash } from 'node:crypto';
import { PutObjectCommand, PutObjectRetentionCommand, type S3Client } from '@aws-sdk/client-s3';
import { addMonths } from '../compliance/calendar.ts';
import type { Db } from '../ledger/database.ts';
import { localDateIn, startOfNextLocalDay } from '../time/zone.ts';
import type { DistrictLedger } from './district-ledger.ts';
import { anchorKeyOf } from './object-key.ts';

export interface AnchorTarget {
  s3: S3Client;
  bucket: string;
  ledger: DistrictLedger;
  stationId: string;
  zone: string;
  retentionMonths: number;
}

export interface LocalAnchor {
  headId: number;
  headHash: string;
  entryCount: number;
  anchoredAt: string;
}

/** When the chain head was last sent out, from the station's own record of it. */
export function lastAnchor(db: Db): LocalAnchor | null {
  return (
    (db
      .prepare(
        `SELECT head_id AS headId, head_hash AS headHash, entry_count AS entryCount, anchored_at AS anchoredAt
         FROM district_anchors ORDER BY id DESC LIMIT 1`,
      )
      .get() as LocalAnchor | undefined) ?? null
  );
}

/**
 * Sends the audit chain head out of the PC: a locked JSON object in the bucket and a row in the
 * district ledger. Someone with root on the station can rewrite the SQLite chain from its start, but
 * cannot change what the district already holds, so `station verify` then sees the rewrite.
 * Returns null when the head has not moved since the last anchor.
 */
export async function anchorAuditChain(db: Db, target: AnchorTarget, now: Date): Promise<LocalAnchor | null> {
  const head = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
    | { id: number; hash: string }
    | undefined;
  if (!head) return null;
  const previous = lastAnchor(db);
  if (previous && previous.headId === head.id && previous.headHash === head.hash) return null;
  const entryCount = db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
  const anchor = { headId: head.id, headHash: head.hash, entryCount, anchoredAt: now.toISOString() };
  const key = anchorKeyOf(target.stationId, head.id, now);
  const body = Buffer.from(`${JSON.stringify({ stationId: target.stationId, ...anchor })}\n`);
  const put = await target.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ContentMD5: createHash('md5').update(body).digest('base64'),
    }),
  );
  // Kept as long as the footage it vouches for: the retention floor from today.
  const until = startOfNextLocalDay(
    addMonths(localDateIn(now, target.zone), target.retentionMonths),
    target.zone,
  );
  await target.s3.send(
    new PutObjectRetentionCommand({
      Bucket: target.bucket,
      Key: key,
      VersionId: put.VersionId,
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
    }),
  );
  await target.ledger.writeAnchor({
    stationId: target.stationId,
    ...anchor,
    objectKey: key,
    versionId: put.VersionId ?? null,
  });
  db.prepare(
    `INSERT INTO district_anchors (head_id, head_hash, entry_count, anchored_at, object_key, version_id)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(anchor.headId, anchor.headHash, anchor.entryCount, anchor.anchoredAt, key, put.VersionId ?? null);
  return anchor;
}
