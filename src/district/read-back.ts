import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Bytes asked for in one ranged GET of a read-back. */
export const readBackRangeBytes = 8 * 1024 * 1024;
/** Ranged GETs of one read-back in flight: one stream from the gateway waits on its window, not the CPU. */
const rangesInFlight = 4;

/**
 * Reads the whole stored version back and returns its SHA-256 and length: the copy counts only if they
 * match. The version is fetched in ranges, several at once, and hashed strictly in order, so the
 * read-back costs the gateway's throughput rather than one stream's round trips.
 */
export async function hashStoredObject(
  s3: S3Client,
  target: { bucket: string; key: string; versionId: string | null },
): Promise<{ sha256: string; bytes: number }> {
  const version = { Bucket: target.bucket, Key: target.key, VersionId: target.versionId ?? undefined };
  const size = (await s3.send(new HeadObjectCommand(version))).ContentLength ?? 0;
  const hash = createHash('sha256');
  let bytes = 0;
  const fetchRange = async (start: number): Promise<Buffer[]> => {
    const end = Math.min(size, start + readBackRangeBytes) - 1;
    const result = await s3.send(new GetObjectCommand({ ...version, Range: `bytes=${start}-${end}` }));
    const chunks: Buffer[] = [];
    for await (const chunk of result.Body as Readable) chunks.push(chunk as Buffer);
    return chunks;
  };
  const starts: number[] = [];
  for (let start = 0; start < size; start += readBackRangeBytes) starts.push(start);
  const window: Promise<Buffer[]>[] = [];
  let next = 0;
  const refill = () => {
    while (window.length < rangesInFlight && next < starts.length) window.push(fetchRange(starts[next++]));
  };
  refill();
  try {
    while (window.length) {
      const chunks = await window.shift()!;
      refill();
      for (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    }
  } finally {
    // A failed range must not leave the others' rejections unhandled.
    await Promise.allSettled(window);
  }
  return { sha256: hash.digest('hex'), bytes };
}
