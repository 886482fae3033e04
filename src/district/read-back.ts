import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Reads the whole stored version back and returns its SHA-256 and length: the copy counts only if they
 * match. One GET, each chunk hashed as it arrives: ranged GETs several at once had to hold their chunks
 * until their turn in the hash and cost half again as much CPU (bench/district.ts), and the sync
 * already overlaps this read-back with the next file's upload.
 */
export async function hashStoredObject(
  s3: S3Client,
  target: { bucket: string; key: string; versionId: string | null },
): Promise<{ sha256: string; bytes: number }> {
  const result = await s3.send(
    new GetObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      VersionId: target.versionId ?? undefined,
    }),
  );
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of result.Body as Readable) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
