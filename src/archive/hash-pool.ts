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
const chunkBytes = 4 * 1024 * 1024;
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
parentPort.on('message', ({ id, file }) => {
  hashFile(file).then(
    (sha256) => parentPort.postMessage({ id, sha256 }),
    (error) => parentPort.postMessage({ id, error: { message: error.message, code: error.code } }),
  );
});
`;

interface Job {
  id: number;
  file: string;
  resolve(sha256: string): void;
  reject(error: Error): void;
}

type WorkerReply = { id: number; sha256: string } | { id: number; error: { message: string; code?: string } };

/**
 * SHA-256 of whole files as they are on the disk, on worker threads, one file per worker at a time, so
 * a re-verification of the archive uses every core instead of one, and a read-back does not hold up
 * the copy of the next file.
 */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(readonly size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`hash pool needs at least 1 worker, got ${size}`);
    for (let index = 0; index < size; index++) this.idle.push(this.startWorker());
  }

  hash(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const job of [...this.queue, ...this.busy.values()]) job.reject(new Error('hash pool closed'));
    this.queue.length = 0;
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private startWorker(): Worker {
    const worker = new Worker(workerSource, { eval: true });
    worker.on('message', (reply: WorkerReply) => this.finish(worker, reply));
    worker.on('error', (error) => this.replace(worker, error));
    // An idle worker must not keep a finished command alive; a busy one is ref'd while it hashes.
    worker.unref();
    return worker;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, file: job.file });
    }
  }

  private finish(worker: Worker, reply: WorkerReply): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    this.idle.push(worker);
    worker.unref();
    if (job && job.id === reply.id) {
      if ('sha256' in reply) job.resolve(reply.sha256);
      else job.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    }
    this.dispatch();
  }

  // A worker that dies takes only its own file with it; the pool keeps its size.
  private replace(worker: Worker, error: Error): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    job?.reject(error);
    this.idle.push(this.startWorker());
    this.dispatch();
  }
}
