import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

export class SourceGoneError extends Error {}
export class DiskFullError extends Error {}

const sourceGoneCodes = new Set(['ENOENT', 'ENODEV', 'EIO', 'ENXIO', 'ESTALE', 'ENOTCONN', 'EBADF']);

export interface CopyResult {
  sha256: string;
  bytes: number;
}

export interface CopyOptions {
  chunkBytes: number;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
}

/**
 * Copies `source` to a new file `destination` and computes SHA-256 in the same single read.
 * The next chunk is read while the current one is hashed and written, so hashing rides along
 * with the copy instead of adding a pass. The caller fsyncs the destination (`syncFile`) before it
 * relies on it, so that the flush of one file can overlap the copy of the next.
 */
export async function copyWithHash(
  source: string,
  destination: string,
  options: CopyOptions,
): Promise<CopyResult> {
  const input = await openSource(source);
  let output: FileHandle | undefined;
  try {
    output = await open(destination, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    return await pump(input, output, options);
  } catch (error) {
    throw classify(error, source);
  } finally {
    await output?.close().catch(() => {});
    await input.close().catch(() => {});
  }
}

async function pump(input: FileHandle, output: FileHandle, options: CopyOptions): Promise<CopyResult> {
  const hash = createHash('sha256');
  let current = Buffer.allocUnsafe(options.chunkBytes);
  let spare = Buffer.allocUnsafe(options.chunkBytes);
  let bytes = 0;
  let pending = input.read(current, 0, current.length, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      options.signal?.throwIfAborted();
      const chunk = current.subarray(0, bytesRead);
      pending = input.read(spare, 0, spare.length, null);
      hash.update(chunk);
      await writeAll(output, chunk);
      bytes += bytesRead;
      options.onProgress?.(bytes);
      [current, spare] = [spare, current];
    }
  } finally {
    // A read still in flight when the copy fails must not surface later as an unhandled rejection.
    pending.catch(() => {});
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function writeAll(output: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await output.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

async function openSource(source: string): Promise<FileHandle> {
  try {
    // O_NOFOLLOW: a symlink planted on a recorder must never lead the copy outside it.
    return await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw classify(error, source);
  }
}

function classify(error: unknown, source: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError('archive disk is full');
  if (sourceGoneCodes.has(code)) return new SourceGoneError(`source became unreadable (${code}): ${source}`);
  return error as Error;
}

/** Flushes a file's data and metadata to the disk. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (error) {
    throw classify(error, file);
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a whole file, read in large chunks. */
export async function hashFile(file: string, chunkBytes = 4 * 1024 * 1024): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    let current = Buffer.allocUnsafe(chunkBytes);
    let spare = Buffer.allocUnsafe(chunkBytes);
    let pending = handle.read(current, 0, current.length, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      pending = handle.read(spare, 0, spare.length, null);
      hash.update(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
