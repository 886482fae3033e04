import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/**
 * Files up to this size go in one PUT; larger ones in parts of this size. Measured on the local Ceph
 * (bench/district.ts): 8 MiB parts cost the gateway and the OSD less CPU per byte than 16 or 32 MiB,
 * and 10 000 parts still take an 80 GB file.
 */
export const partBytes = 8 * 1024 * 1024;
// Two parts of each file at once (with district.syncConcurrency files): on the local Ceph, four cost
// the gateway more CPU per byte in contention and sent no faster on a busy machine (bench/district.ts).
const defaultPartsInFlight = 2;

export interface UploadTarget {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
}

export interface UploadProgress {
  /** Called with the multipart upload id before any part is sent, so a crash can resume it. */
  onUploadStarted(uploadId: string): void;
  /** Parts found already uploaded and reused (ListParts), for the log and the tests. */
  onPartsReused?(count: number): void;
  /** Parts of one file sent at once (default 2). */
  partsInFlight?: number;
}

export interface UploadedObject {
  versionId: string | null;
  /** Parts a previous attempt had sent, kept rather than sent again. */
  resumedParts: number;
}

/**
 * Sends one file. Every request carries Content-MD5, so the store refuses a damaged body. A large file
 * goes in parts; given the id of an upload a previous attempt started, the parts the store already
 * holds with the right MD5 are kept and only the rest are sent.
 */
export async function uploadFile(
  s3: S3Client,
  file: string,
  target: UploadTarget,
  previousUploadId: string | null,
  progress: UploadProgress,
): Promise<UploadedObject> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= partBytes) {
      const body = await readRange(handle, 0, size);
      const result = await s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Body: body,
          ContentLength: size,
          ContentMD5: md5Base64(body),
          Metadata: target.metadata,
        }),
      );
      return { versionId: result.VersionId ?? null, resumedParts: 0 };
    }
    const uploadId = (previousUploadId && (await alreadyThere(s3, target, previousUploadId))) ?? null;
    const listed = uploadId ? await listParts(s3, target, uploadId) : new Map<number, Part>();
    const id = uploadId ?? (await startUpload(s3, target));
    if (!uploadId) progress.onUploadStarted(id);
    const count = Math.ceil(size / partBytes);
    const parts: { PartNumber: number; ETag: string }[] = new Array(count);
    let next = 1;
    let reused = 0;
    const worker = async () => {
      // One buffer per worker for all its parts: a fresh 8 MiB buffer per part cost more CPU in page
      // faults and garbage collection than the MD5 (bench/district.ts). The SDK is done with a body
      // (retries included) once its send resolves.
      const buffer = Buffer.allocUnsafeSlow(partBytes);
      while (next <= count) {
        const partNumber = next++;
        const start = (partNumber - 1) * partBytes;
        const body = await readRange(handle, start, Math.min(partBytes, size - start), buffer);
        const md5 = createHash('md5').update(body).digest();
        const existing = listed.get(partNumber);
        // A listed part is kept only when the store's ETag is this part's MD5: the local file decides.
        if (existing?.ETag && existing.ETag.replaceAll('"', '') === md5.toString('hex')) {
          parts[partNumber - 1] = { PartNumber: partNumber, ETag: existing.ETag };
          reused++;
          continue;
        }
        const result = await s3.send(
          new UploadPartCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: id,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.length,
            ContentMD5: md5.toString('base64'),
          }),
        );
        parts[partNumber - 1] = { PartNumber: partNumber, ETag: result.ETag! };
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(progress.partsInFlight ?? defaultPartsInFlight, count) }, worker),
    );
    progress.onPartsReused?.(reused);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: id,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { versionId: done.VersionId ?? null, resumedParts: reused };
  } finally {
    await handle.close();
  }
}

/** Gives up an unfinished multipart upload, so its parts do not stay in the store; gone already is fine. */
export async function abortUpload(s3: S3Client, target: Omit<UploadTarget, 'metadata'>, uploadId: string) {
  try {
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }),
    );
  } catch (error) {
    if ((error as Error).name !== 'NoSuchUpload') throw error;
  }
}

async function startUpload(s3: S3Client, target: UploadTarget): Promise<string> {
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, Metadata: target.metadata }),
  );
  return created.UploadId!;
}

// An upload the store has forgotten (aborted, expired) starts again from zero.
async function alreadyThere(s3: S3Client, target: UploadTarget, uploadId: string): Promise<string | null> {
  try {
    await s3.send(
      new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId, MaxParts: 1 }),
    );
    return uploadId;
  } catch (error) {
    if ((error as Error).name === 'NoSuchUpload') return null;
    throw error;
  }
}

async function listParts(s3: S3Client, target: UploadTarget, uploadId: string): Promise<Map<number, Part>> {
  const parts = new Map<number, Part>();
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListPartsCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        PartNumberMarker: marker,
      }),
    );
    for (const part of page.Parts ?? []) if (part.PartNumber) parts.set(part.PartNumber, part);
    if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
    marker = page.NextPartNumberMarker;
  }
}

async function readRange(
  handle: Awaited<ReturnType<typeof open>>,
  start: number,
  length: number,
  into: Buffer = Buffer.allocUnsafe(length),
): Promise<Buffer> {
  const buffer = into.subarray(0, length);
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await handle.read(buffer, offset, length - offset, start + offset);
    if (bytesRead === 0) throw new Error(`file ended at ${start + offset} bytes, expected ${start + length}`);
    offset += bytesRead;
  }
  return buffer;
}

function md5Base64(body: Buffer): string {
  return createHash('md5').update(body).digest('base64');
}
