import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// The worker is plain CommonJS passed as source: it needs nothing from the station, only node:crypto
// (OpenSSL, which uses the CPU's SHA instructions) and node:fs.
// It reads with O_DIRECT where the file system allows, into page-aligned buffers (WebAssembly memory):
// a file just written and fsynced is still in the page cache, and a read-back from there would check
// memory, not the disk. The next chunk is read while the current one is hashed.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { constants } = require('node:fs');
const { open } = require('node:fs/promises');
// 1 MiB reads keep up with SHA-256 on O_DIRECT; each worker holds two, and a station one worker per core.
const chunkBytes = 1024 * 1024;
const aligned = () => Buffer.from(new WebAssembly.Memory({ initial: chunkBytes / 65536, maximum: chunkBytes / 65536 }).buffer);
let current = aligned();
let spare = aligned();
const flags = constants.O_RDONLY | constants.O_NOFOLLOW;
async function openFile(file) {
  if (constants.O_DIRECT !== undefined) {
    try {
      return { handle: await open(file, flags | constants.O_DIRECT), direct: true };
    } catch (error) {
      if (error.code !== 'EINVAL') throw error;
    }
  }
  return { handle: await open(file, flags), direct: false };
}
async function hashFile(file) {
  let { handle, direct } = await openFile(file);
  const read = async (buffer, position) => {
    try {
      return (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
    } catch (error) {
      // A file system that takes O_DIRECT at open and refuses it at the read: through the page cache.
      if (!direct || error.code !== 'EINVAL') throw error;
      await handle.close().catch(() => {});
      handle = await open(file, flags);
      direct = false;
      return (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
    }
  };
  try {
    const hash = createHash('sha256');
    let position = 0;
    let pending = read(current, 0);
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      pending = read(spare, position);
      hash.update(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
    }
    return hash.digest('hex');
  } finally {
    await handle.close().catch(() => {});
  }
}
// A copy's chunks arrive in order, each in a shared buffer that the copy loop writes to the archive
// from at the same time: hashed where it lies, never copied; the reply lets the loop reuse it.
const streams = new Map();
parentPort.on('message', (message) => {
  const { id, kind } = message;
  if (kind === 'file') {
    hashFile(message.file).then(
      (sha256) => parentPort.postMessage({ id, sha256 }),
      (error) => parentPort.postMessage({ id, error: { message: error.message, code: error.code } }),
    );
  } else if (kind === 'chunk') {
    if (!streams.has(id)) streams.set(id, createHash('sha256'));
    streams.get(id).update(new Uint8Array(message.memory, message.offset, message.length));
    parentPort.postMessage({ id, chunk: true });
  } else if (kind === 'digest') {
    const hash = streams.get(id) ?? createHash('sha256');
    streams.delete(id);
    parentPort.postMessage({ id, sha256: hash.digest('hex') });
  } else if (kind === 'drop') {
    streams.delete(id);
  }
});
`;

interface Job {
  id: number;
  file: string;
  resolve(sha256: string): void;
  reject(error: Error): void;
}

/** A copy being hashed on one worker: the chunks sent and not yet hashed, then the digest asked for. */
interface Stream {
  id: number;
  chunks: { resolve(): void; reject(error: Error): void }[];
  digest: { resolve(sha256: string): void; reject(error: Error): void } | null;
}

interface Slot {
  worker: Worker;
  /** The one whole file this worker reads and hashes, if any. */
  file: Job | null;
  streams: Map<number, Stream>;
}

type WorkerReply =
  | { id: number; sha256: string }
  | { id: number; chunk: true }
  | { id: number; error: { message: string; code?: string } };

/** The SHA-256 of a copy fed chunk by chunk, computed on a worker thread (`HashPool.stream`). */
export interface StreamHash {
  /**
   * Hashes the next chunk; `chunk` must lie in a SharedArrayBuffer and stay unchanged until this
   * resolves (the copy loop may write it out meanwhile, which only reads it).
   */
  update(chunk: Buffer): Promise<void>;
  digest(): Promise<string>;
  /** The copy failed: the worker forgets it. */
  drop(): void;
}

/**
 * SHA-256 on worker threads. Whole files as they are on the disk, one file per worker at a time, so a
 * re-verification of the archive uses every core instead of one, and a read-back does not hold up the
 * copies. And the copies themselves, chunk by chunk as they are read (`stream`), spread over the
 * workers, so that the main thread only moves buffers between the recorder and the archive.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(readonly size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`hash pool needs at least 1 worker, got ${size}`);
    for (let index = 0; index < size; index++) this.slots.push(this.startSlot());
  }

  hash(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * A new copy's hash. It takes a worker (the one with the fewest copies in hand) at its first chunk,
   * so a copy that fails before it reads anything holds nothing.
   */
  stream(): StreamHash {
    const stream: Stream = { id: this.nextId++, chunks: [], digest: null };
    let slot: Slot | null = null;
    const take = (): Slot | null => {
      if (!slot) {
        slot = this.slots.reduce((least, slot) => (slot.streams.size < least.streams.size ? slot : least));
        slot.streams.set(stream.id, stream);
        slot.worker.ref();
      }
      return slot.streams.has(stream.id) ? slot : null;
    };
    return {
      update: (chunk) =>
        new Promise<void>((resolve, reject) => {
          const taken = take();
          if (!taken) return reject(new Error('hash pool closed'));
          stream.chunks.push({ resolve, reject });
          const { buffer, byteOffset, byteLength } = chunk;
          taken.worker.postMessage({
            id: stream.id,
            kind: 'chunk',
            memory: buffer,
            offset: byteOffset,
            length: byteLength,
          });
        }),
      digest: () =>
        new Promise<string>((resolve, reject) => {
          const taken = take();
          if (!taken) return reject(new Error('hash pool closed'));
          stream.digest = { resolve, reject };
          taken.worker.postMessage({ id: stream.id, kind: 'digest' });
        }),
      drop: () => {
        if (!slot?.streams.delete(stream.id)) return;
        this.unrefIfIdle(slot);
        slot.worker.postMessage({ id: stream.id, kind: 'drop' });
      },
    };
  }

  async close(): Promise<void> {
    const closed = new Error('hash pool closed');
    for (const job of this.queue) job.reject(closed);
    this.queue.length = 0;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.failSlot(slot, closed);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private startSlot(): Slot {
    const worker = new Worker(workerSource, { eval: true });
    const slot: Slot = { worker, file: null, streams: new Map() };
    worker.on('message', (reply: WorkerReply) => this.reply(slot, reply));
    worker.on('error', (error) => this.replace(slot, error));
    // An idle worker must not keep a finished command alive; a busy one is ref'd while it hashes.
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.file) continue;
      const job = this.queue.shift()!;
      slot.file = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, kind: 'file', file: job.file });
    }
  }

  private reply(slot: Slot, reply: WorkerReply): void {
    const stream = slot.streams.get(reply.id);
    if (stream) {
      if ('chunk' in reply) stream.chunks.shift()?.resolve();
      else if ('sha256' in reply) {
        slot.streams.delete(stream.id);
        this.unrefIfIdle(slot);
        stream.digest?.resolve(reply.sha256);
      }
      return;
    }
    const job = slot.file;
    if (!job || job.id !== reply.id) return;
    slot.file = null;
    this.unrefIfIdle(slot);
    if ('sha256' in reply) job.resolve(reply.sha256);
    else if ('error' in reply)
      job.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    this.dispatch();
  }

  private unrefIfIdle(slot: Slot): void {
    if (!slot.file && slot.streams.size === 0) slot.worker.unref();
  }

  /** Everything a worker had in hand fails with `error`. */
  private failSlot(slot: Slot, error: Error): void {
    slot.file?.reject(error);
    slot.file = null;
    for (const stream of slot.streams.values()) {
      for (const chunk of stream.chunks) chunk.reject(error);
      stream.digest?.reject(error);
    }
    slot.streams.clear();
  }

  // A worker that dies takes only what it had in hand with it; the pool keeps its size.
  private replace(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    this.failSlot(slot, error);
    this.slots[index] = this.startSlot();
    this.dispatch();
  }
}
