import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// The worker is plain CommonJS passed as source: the tsx loader that runs our TypeScript lives in the
// main thread, and a worker needs nothing from the station, only node:crypto (OpenSSL, which uses the
// CPU's SHA instructions) and synchronous reads, which cost nothing extra on a thread of its own.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, constants } = require('node:fs');
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on('message', ({ id, file }) => {
  let descriptor;
  try {
    descriptor = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const hash = createHash('sha256');
    let bytesRead;
    while ((bytesRead = readSync(descriptor, buffer, 0, buffer.length, null)) > 0) {
      hash.update(buffer.subarray(0, bytesRead));
    }
    parentPort.postMessage({ id, sha256: hash.digest('hex') });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, code: error.code } });
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
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
 * SHA-256 of whole files on worker threads, one file per worker at a time, so a re-verification
 * of the archive uses every core instead of one.
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
