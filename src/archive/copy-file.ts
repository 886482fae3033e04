import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { directAlignment, returnAlignedBuffer, takeAlignedBuffer } from './aligned-buffers.ts';
import type { StreamHash } from './hash-pool.ts';

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
  /** Where the chunks are hashed: a worker of the archive's hash pool; the calling thread without. */
  hash?: StreamHash;
}

/**
 * Copies `source` to a new file `destination` and computes SHA-256 in the same single read.
 * Chunks move through a small ring of buffers: while one chunk is hashed and written (both only read
 * the buffer, so they run at once), the next ones are being read, so the recorder, the CPU and the
 * archive disk work at the same time. The caller fsyncs the destination (`syncFile`) before it
 * relies on it.
 */
export async function copyWithHash(
  source: string,
  destination: string,
  options: CopyOptions,
): Promise<CopyResult> {
  const input = await SourceReader.open(source, options.chunkBytes);
  let output: ArchiveWriter | undefined;
  try {
    output = await ArchiveWriter.create(destination, options.chunkBytes);
    return await pump(input, output, options);
  } catch (error) {
    throw classify(error, source);
  } finally {
    await output?.close().catch(() => {});
    await input.close().catch(() => {});
  }
}

// Two chunks read ahead and two being hashed and written: enough to keep a recorder and the archive
// disk busy, few enough that 24 docks hold tens of MiB, not hundreds.
const readsAhead = 2;
const writesInFlight = 2;

interface InFlight<T> {
  buffer: Buffer;
  done: Promise<T>;
}

async function pump(input: SourceReader, output: ArchiveWriter, options: CopyOptions): Promise<CopyResult> {
  const hash = options.hash ?? hashHere();
  const free = Array.from({ length: readsAhead + writesInFlight }, () => takeBuffer(options.chunkBytes));
  const reads: InFlight<number>[] = [];
  const writes: InFlight<void>[] = [];
  let readPosition = 0;
  let bytes = 0;
  let ended = false;
  const readMore = () => {
    while (!ended && reads.length < readsAhead && free.length > 0) {
      const buffer = free.pop()!;
      reads.push({ buffer, done: handled(input.read(buffer, readPosition)) });
      readPosition += buffer.length;
    }
  };
  try {
    readMore();
    while (reads.length > 0) {
      const { buffer, done } = reads.shift()!;
      const bytesRead = await done;
      options.signal?.throwIfAborted();
      if (bytesRead === 0) {
        ended = true;
        free.push(buffer);
        continue;
      }
      const chunk = buffer.subarray(0, bytesRead);
      writes.push({ buffer, done: handled(both(hash.update(chunk), output.write(chunk, bytes))) });
      bytes += bytesRead;
      if (bytesRead < buffer.length) {
        // A short read: the end of the file, or a file system that returns less at a time. The reads
        // ahead were aimed past it: where they found nothing, this was the end; otherwise they are let
        // go and reading goes on from where this one stopped.
        const ahead = await settle(reads.splice(0));
        free.push(...ahead.buffers);
        ended = ahead.count > 0 && ahead.empty;
        readPosition = bytes;
      }
      if (writes.length >= writesInFlight) free.push(await finish(writes.shift()!));
      // A promise returned by the progress callback holds the next chunk (a stage hook in tests).
      const held = options.onProgress?.(bytes);
      if (held instanceof Promise) await held;
      readMore();
    }
    while (writes.length > 0) free.push(await finish(writes.shift()!));
    giveBack(free);
    return { sha256: await hash.digest(), bytes };
  } catch (error) {
    // Nothing may still be filling or draining a buffer when the files are closed: a read in flight on
    // a closed descriptor could land on another file opened meanwhile under the same number.
    await Promise.allSettled([...reads, ...writes].map((operation) => operation.done));
    hash.drop();
    throw error;
  }
}

/** The chunks hashed on this thread, for callers without a hash pool (the evidence export). */
function hashHere(): StreamHash {
  const hash = createHash('sha256');
  return {
    update: async (chunk) => void hash.update(chunk),
    digest: async () => hash.digest('hex'),
    drop: () => {},
  };
}

/** Settles when both have; the first failure, if any, is the result. */
async function both(first: Promise<void>, second: Promise<void>): Promise<void> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
}

async function finish(write: InFlight<void>): Promise<Buffer> {
  await write.done;
  return write.buffer;
}

/** Waits for reads that are no longer wanted: their buffers, and whether all of them found the end. */
async function settle(reads: InFlight<number>[]) {
  const buffers: Buffer[] = [];
  let empty = true;
  for (const read of reads) {
    const bytesRead = await read.done.catch(() => -1);
    empty &&= bytesRead === 0;
    buffers.push(read.buffer);
  }
  return { buffers, empty, count: reads.length };
}

/**
 * A read or write runs while the loop awaits another one. A pulled cable fails a read before anyone
 * awaits it: without a handler from the start, Node reports it as an unhandled rejection and ends the
 * whole station. The handler only marks the promise handled; the loop still gets the error when it
 * awaits it.
 */
function handled<T>(operation: Promise<T>): Promise<T> {
  operation.catch(() => {});
  return operation;
}

// Whole pages, page-aligned, so that the same buffer can be read with O_DIRECT from the recorder and
// written with O_DIRECT to the archive, without a copy in between; shared, for the hash worker.
function takeBuffer(chunkBytes: number): Buffer {
  return chunkBytes % directAlignment === 0
    ? takeAlignedBuffer(chunkBytes)
    : Buffer.from(new SharedArrayBuffer(chunkBytes));
}

function giveBack(buffers: Buffer[]): void {
  for (const buffer of buffers) if (buffer.length % directAlignment === 0) returnAlignedBuffer(buffer);
}

/**
 * The recorder side of a copy. It reads with O_DIRECT where the file system allows: the recorder is
 * read once, so its pages in the page cache would never be used again, and filling them and copying
 * them out cost more CPU than the SHA-256 of the same bytes on a busy station. A file system that
 * refuses direct reads (FUSE, some network mounts) is read through the page cache as before.
 */
class SourceReader {
  private buffered: Promise<FileHandle> | null = null;

  private constructor(
    private readonly direct: FileHandle | null,
    private readonly source: string,
  ) {}

  static async open(source: string, chunkBytes: number): Promise<SourceReader> {
    if (constants.O_DIRECT !== undefined && chunkBytes % directAlignment === 0) {
      const direct = await openSource(source, constants.O_DIRECT).catch((error) => {
        if ((error as NodeJS.ErrnoException).code === 'EINVAL') return null;
        throw error;
      });
      if (direct) return new SourceReader(direct, source);
    }
    const reader = new SourceReader(null, source);
    await reader.pageCache();
    return reader;
  }

  /** One read at `position`: the length read, 0 at the end. */
  async read(buffer: Buffer, position: number): Promise<number> {
    if (this.direct && !this.buffered) {
      try {
        return (await this.direct.read(buffer, 0, buffer.length, position)).bytesRead;
      } catch (error) {
        // Some file systems accept O_DIRECT at open and refuse it at the first read (or a short read
        // left the position unaligned): the rest goes through the page cache.
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      }
    }
    return (await (await this.pageCache()).read(buffer, 0, buffer.length, position)).bytesRead;
  }

  // Both descriptors stay open to the end: a read may still be in flight on the direct one.
  async close(): Promise<void> {
    const buffered = await this.buffered?.catch(() => null);
    await Promise.all([this.direct?.close(), buffered?.close()]);
  }

  private pageCache(): Promise<FileHandle> {
    this.buffered ??= openSource(this.source, 0);
    return this.buffered;
  }
}

/**
 * The archive side of a copy. Whole chunks are written with O_DIRECT where the file system allows:
 * they go from the buffer they were read into straight to the disk, without a second copy in the page
 * cache that the kernel would then write back, and that the read-back must not read anyway. The last,
 * shorter chunk of a file (and everything on a file system that refuses O_DIRECT) goes through a
 * plain descriptor of the same file.
 */
class ArchiveWriter {
  private buffered: Promise<FileHandle> | null = null;
  private directRefused = false;

  private constructor(
    private readonly direct: FileHandle | null,
    private readonly destination: string,
  ) {}

  static async create(destination: string, chunkBytes: number): Promise<ArchiveWriter> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    try {
      if (constants.O_DIRECT !== undefined && chunkBytes % directAlignment === 0) {
        const direct = await open(destination, flags | constants.O_DIRECT, 0o600).catch((error) => {
          if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
          return null;
        });
        if (direct) return new ArchiveWriter(direct, destination);
      }
      const writer = new ArchiveWriter(null, destination);
      writer.buffered = open(destination, flags, 0o600);
      await writer.buffered;
      return writer;
    } catch (error) {
      throw classifyArchive(error, destination);
    }
  }

  /** Writes all of `chunk` at `position`; errors are the archive's, classified here. */
  async write(chunk: Buffer, position: number): Promise<void> {
    try {
      const aligned = chunk.length % directAlignment === 0 && position % directAlignment === 0;
      if (this.direct && aligned && !this.directRefused) {
        try {
          return await writeAll(this.direct, chunk, position);
        } catch (error) {
          // A file system that takes O_DIRECT at open and refuses it at the write.
          if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
          this.directRefused = true;
        }
      }
      this.buffered ??= open(this.destination, constants.O_WRONLY);
      await writeAll(await this.buffered, chunk, position);
    } catch (error) {
      throw classifyArchive(error, this.destination);
    }
  }

  async close(): Promise<void> {
    const buffered = await this.buffered?.catch(() => null);
    await Promise.all([this.direct?.close(), buffered?.close()]);
  }
}

async function writeAll(output: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await output.write(chunk, offset, chunk.length - offset, position + offset);
    offset += bytesWritten;
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
