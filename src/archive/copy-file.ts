import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { directAlignment, returnAlignedBuffer, takeAlignedBuffer } from './aligned-buffers.ts';

export class SourceGoneError extends Error {}
export class DiskFullError extends Error {}
/** The archive refused a write for another reason than space: read-only, I/O error, permissions. */
export class ArchiveWriteError extends Error {}

// A pulled USB disk fails reads with EIO or ENODEV; an exFAT volume whose FUSE server died fails the
// read in flight with ECONNABORTED and every later one with ENOTCONN.
const sourceGoneCodes = new Set([
  'ENOENT',
  'ENODEV',
  'EIO',
  'ENXIO',
  'ESTALE',
  'ENOTCONN',
  'ECONNABORTED',
  'EBADF',
]);
const archiveWriteCodes = new Set(['EROFS', 'EIO', 'EACCES', 'EPERM', 'EFBIG', 'ENODEV', 'ENXIO']);

export interface CopyResult {
  sha256: string;
  bytes: number;
}

export interface CopyOptions {
  chunkBytes: number;
  /** Called after each chunk; a promise it returns holds the next chunk (a stage hook in tests). */
  onProgress?: (bytesDone: number) => void | Promise<void>;
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
  const input = await SourceReader.open(source, options.chunkBytes);
  let output: FileHandle | undefined;
  try {
    output = await open(destination, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch(
      (error) => {
        throw classifyArchive(error, destination);
      },
    );
    return await pump(input, output, options);
  } catch (error) {
    throw classify(error, source);
  } finally {
    await output?.close().catch(() => {});
    await input.close().catch(() => {});
  }
}

async function pump(input: SourceReader, output: FileHandle, options: CopyOptions): Promise<CopyResult> {
  const hash = createHash('sha256');
  let current = input.takeBuffer();
  let spare = input.takeBuffer();
  let bytes = 0;
  let pending = readAhead(input, current, 0);
  for (;;) {
    const bytesRead = await pending;
    if (bytesRead === 0) break;
    options.signal?.throwIfAborted();
    const chunk = current.subarray(0, bytesRead);
    pending = readAhead(input, spare, bytes + bytesRead);
    hash.update(chunk);
    await writeAll(output, chunk);
    bytes += bytesRead;
    const held = options.onProgress?.(bytes);
    if (held instanceof Promise) await held;
    [current, spare] = [spare, current];
  }
  input.giveBack(current, spare);
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Starts the read of the next chunk while the current one is written. A pulled cable fails that read
 * while the loop is still awaiting the write, before anyone awaits the read: without a handler from
 * the start, Node reports it as an unhandled rejection and ends the whole station. The handler only
 * marks the promise handled; the loop still gets the error when it awaits the read. A buffer whose
 * read failed is not given back, since the kernel may still be filling it.
 */
function readAhead(input: SourceReader, buffer: Buffer, position: number): Promise<number> {
  const read = input.read(buffer, position);
  read.catch(() => {});
  return read;
}

/**
 * The recorder side of a copy. It reads with O_DIRECT where the file system allows: the recorder is
 * read once, so its pages in the page cache would never be used again, and filling them and copying
 * them out cost more CPU than the SHA-256 of the same bytes on a busy station. A file system that
 * refuses direct reads (FUSE, some network mounts) is read through the page cache as before.
 */
class SourceReader {
  private constructor(
    private handle: FileHandle,
    private direct: boolean,
    private readonly source: string,
    private readonly chunkBytes: number,
  ) {}

  static async open(source: string, chunkBytes: number): Promise<SourceReader> {
    const direct = constants.O_DIRECT !== undefined && chunkBytes % directAlignment === 0;
    if (direct) {
      const handle = await openSource(source, constants.O_DIRECT).catch((error) => {
        if ((error as NodeJS.ErrnoException).code === 'EINVAL') return null;
        throw error;
      });
      if (handle) return new SourceReader(handle, true, source, chunkBytes);
    }
    return new SourceReader(await openSource(source, 0), false, source, chunkBytes);
  }

  takeBuffer(): Buffer {
    return this.direct ? takeAlignedBuffer(this.chunkBytes) : Buffer.allocUnsafe(this.chunkBytes);
  }

  giveBack(...buffers: Buffer[]): void {
    if (this.direct) for (const buffer of buffers) returnAlignedBuffer(buffer);
  }

  /** Reads at `position` until the buffer is full or the file ends; the length read, 0 at the end. */
  async read(buffer: Buffer, position: number): Promise<number> {
    try {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
      return bytesRead;
    } catch (error) {
      // Some file systems accept O_DIRECT at open and refuse it at the first read (or a short read
      // left the position unaligned): the rest goes through the page cache.
      if (!this.direct || (error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      await this.fallBackToPageCache();
      return this.read(buffer, position);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async fallBackToPageCache(): Promise<void> {
    const buffered = await openSource(this.source, 0);
    await this.handle.close().catch(() => {});
    this.handle = buffered;
    this.direct = false;
  }
}

// Errors of the archive side are classified here, so that an EIO of the archive disk is never taken
// for a pulled recorder.
async function writeAll(output: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  try {
    while (offset < chunk.length) {
      const { bytesWritten } = await output.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  } catch (error) {
    throw classifyArchive(error, 'archive');
  }
}

async function openSource(source: string, extraFlags: number): Promise<FileHandle> {
  try {
    // O_NOFOLLOW: a symlink planted on a recorder must never lead the copy outside it.
    return await open(source, constants.O_RDONLY | constants.O_NOFOLLOW | extraFlags);
  } catch (error) {
    throw classify(error, source);
  }
}

/** Errors of the recorder side; archive-side errors arrive already classified and pass through. */
function classify(error: unknown, source: string): Error {
  if (error instanceof DiskFullError || error instanceof ArchiveWriteError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError('archive disk is full');
  if (sourceGoneCodes.has(code)) return new SourceGoneError(`source became unreadable (${code}): ${source}`);
  return error as Error;
}

/** Errors of the archive side: a full disk, or one that refuses writes. */
export function classifyArchive(error: unknown, file: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError('archive disk is full');
  if (archiveWriteCodes.has(code))
    return new ArchiveWriteError(`archive refused the write (${code}): ${file}`);
  return error as Error;
}

/** Flushes a file's data and metadata to the disk. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (error) {
    throw classifyArchive(error, file);
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
