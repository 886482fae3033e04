// Reads with O_DIRECT need buffers whose address is aligned to the disk's block size, which Node's own
// Buffer allocations do not promise. The backing store of a WebAssembly.Memory starts on a page
// boundary, so a Buffer over one is aligned; a shared one, so that a hash worker can read the chunk
// where it lies (hash-pool.ts). Buffers are kept for reuse: the copy loop needs four per dock and
// file, and each new one would cost fresh pages.
const wasmPageBytes = 65536;
export const directAlignment = 4096;

// Enough for every dock of a full station at the default chunk size, without hoarding large chunks.
const keptBytesPerSize = 32 * 1024 * 1024;
const spare = new Map<number, Buffer[]>();
/** Buffers taken and not yet returned; when none is out for a while, the spares go too. */
let lent = 0;
const idleMs = 2000;
let release: NodeJS.Timeout | undefined;

export function takeAlignedBuffer(bytes: number): Buffer {
  lent += 1;
  clearTimeout(release);
  const reused = spare.get(bytes)?.pop();
  if (reused) return reused;
  const pages = Math.ceil(bytes / wasmPageBytes);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return Buffer.from(memory.buffer, 0, bytes);
}

/** Only for a buffer that no read can still be filling. */
export function returnAlignedBuffer(buffer: Buffer): void {
  lent = Math.max(0, lent - 1);
  // Once the docks are copied, the daemon gives their buffers' memory back (32 MB for 8 docks).
  if (lent === 0) {
    clearTimeout(release);
    release = setTimeout(() => spare.clear(), idleMs).unref();
  }
  const list = spare.get(buffer.length) ?? [];
  if ((list.length + 1) * buffer.length > keptBytesPerSize && list.length >= 2) return;
  list.push(buffer);
  spare.set(buffer.length, list);
}
