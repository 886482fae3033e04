import {
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** The bucket cannot keep footage immutable: sync stops and says why. */
export class ObjectLockMissing extends Error {
  constructor(readonly bucket: string) {
    super(
      `bucket "${bucket}" has no Object Lock: footage there could be deleted or overwritten; ` +
        'create the bucket with Object Lock enabled (S3 CreateBucket with ObjectLockEnabledForBucket)',
    );
  }
}

export async function assertBucketHasObjectLock(s3: S3Client, bucket: string): Promise<void> {
  let enabled: string | undefined;
  try {
    const result = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    enabled = result.ObjectLockConfiguration?.ObjectLockEnabled;
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'ObjectLockConfigurationNotFoundError' && name !== 'NoSuchObjectLockConfiguration')
      throw error;
  }
  if (enabled !== 'Enabled') {
    throw new ObjectLockMissing(bucket);
  }
}

export interface LockState {
  retainUntil: Date | null;
  mode: string | null;
  legalHold: boolean;
}

// Ceph answers ObjectLockConfigurationNotFoundError for a version that has no retention or hold yet.
const notLocked = new Set(['NoSuchObjectLockConfiguration', 'ObjectLockConfigurationNotFoundError']);

export async function readLock(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<LockState> {
  const retention = await s3
    .send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
    .catch((error: Error) => {
      if (notLocked.has(error.name)) return null;
      throw error;
    });
  const hold = await s3
    .send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
    .catch((error: Error) => {
      if (notLocked.has(error.name)) return null;
      throw error;
    });
  return {
    retainUntil: retention?.Retention?.RetainUntilDate ?? null,
    mode: retention?.Retention?.Mode ?? null,
    legalHold: hold?.LegalHold?.Status === 'ON',
  };
}

/**
 * COMPLIANCE retention until `retainUntil`, never earlier than what the object already carries, and
 * the legal hold as wanted; then read back, because a store that drops lock headers (Ceph does on
 * CreateMultipartUpload) must not leave footage we believe locked unlocked.
 */
export async function applyLock(
  s3: S3Client,
  target: { bucket: string; key: string; versionId: string },
  wanted: { retainUntil: Date; legalHold: boolean },
): Promise<LockState> {
  const { bucket, key, versionId } = target;
  const current = await readLock(s3, bucket, key, versionId);
  const until =
    current.retainUntil && current.retainUntil > wanted.retainUntil
      ? current.retainUntil
      : wanted.retainUntil;
  if (!current.retainUntil || current.retainUntil < until || current.mode !== 'COMPLIANCE') {
    await s3.send(
      new PutObjectRetentionCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
      }),
    );
  }
  if (current.legalHold !== wanted.legalHold) {
    await s3.send(
      new PutObjectLegalHoldCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        LegalHold: { Status: wanted.legalHold ? 'ON' : 'OFF' },
      }),
    );
  }
  const after = await readLock(s3, bucket, key, versionId);
  if (after.mode !== 'COMPLIANCE' || !after.retainUntil || after.retainUntil < until) {
    throw new Error(
      `object ${key} did not keep its COMPLIANCE retention until ${until.toISOString()} (store reports ${after.mode ?? 'none'} until ${after.retainUntil?.toISOString() ?? 'none'})`,
    );
  }
  if (after.legalHold !== wanted.legalHold) throw new Error(`object ${key} did not keep its legal hold`);
  return after;
}
