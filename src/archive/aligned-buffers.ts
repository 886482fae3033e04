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

export function takeAlignedBuffer(bytes: number): Buffer {
  const reused = spare.get(bytes)?.pop();
  if (reused) return reused;
  const pages = Math.ceil(bytes / wasmPageBytes);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return Buffer.from(memory.buffer, 0, bytes);
}

/** Only for a buffer that no read can still be filling. */
export function returnAlignedBuffer(buffer: Buffer): void {
  const list = spare.get(buffer.length) ?? [];
  if ((list.length + 1) * buffer.length > keptBytesPerSize && list.length >= 2) return;
  list.push(buffer);
  spare.set(buffer.length, list);
}
