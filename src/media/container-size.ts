// Some containers state their own length in their headers. When a copy or a recording was cut short,
// ffmpeg often cannot tell: it sizes a truncated AVI, TS or WAV by what is there and decodes it
// without a single error. The header still remembers the full size, so compare it with the file.
import { open } from 'node:fs/promises';

export interface ContainerSizeResult {
  ok: boolean;
  detail: string;
  /** The same for people (playback-check.ts CheckPhrase). */
  says: { code: string; values?: Record<string, string | number> }[];
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Enough for any real file; stops a corrupt header from making us walk forever. */
const maxBoxes = 100_000;

/** Null when the file is not RIFF (WAV, AVI) or ISO BMFF (MP4, MOV, M4A, 3GP), which carry no sizes we read. */
export async function checkContainerSize(path: string): Promise<ContainerSizeResult | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = await readAt(file, 0, 12);
    if (head.length < 12) return null;
    if (head.toString('latin1', 0, 4) === 'RIFF') return await walkRiff(file, size);
    if (isIsoBaseMedia(head)) return await walkBoxes(file, size);
    return null;
  } finally {
    await file.close();
  }
}

function isIsoBaseMedia(head: Buffer): boolean {
  return ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide'].includes(head.toString('latin1', 4, 8));
}

/** RIFF files: one or more top-level RIFF chunks (AVI over 1 GB adds RIFF AVIX chunks). */
async function walkRiff(file: FileHandle, fileSize: number): Promise<ContainerSizeResult> {
  let offset = 0;
  for (let count = 0; count < maxBoxes && offset + 8 <= fileSize; count += 1) {
    const header = await readAt(file, offset, 8);
    if (header.toString('latin1', 0, 4) !== 'RIFF') break;
    const chunkSize = header.readUInt32LE(4);
    // A writer that never finished (power lost while recording) leaves 0 or 0xFFFFFFFF here; the
    // data is all there, the header simply was never updated, so there is nothing to compare.
    if (chunkSize === 0 || chunkSize === 0xffffffff) {
      return {
        ok: true,
        detail: 'RIFF size was never written (recording not finalised); not compared',
        says: [{ code: 'riff-unwritten' }],
      };
    }
    const end = offset + 8 + chunkSize + (chunkSize % 2);
    if (end > fileSize + (chunkSize % 2)) return cutShort('RIFF chunk', offset, end, fileSize);
    offset = end;
  }
  return {
    ok: true,
    detail: `RIFF chunks account for the whole file (${fileSize} bytes)`,
    says: [{ code: 'riff-whole', values: { bytes: fileSize } }],
  };
}

/** ISO base media (MP4/MOV): a sequence of top-level boxes, each starting with its size. */
async function walkBoxes(file: FileHandle, fileSize: number): Promise<ContainerSizeResult> {
  let offset = 0;
  for (let count = 0; count < maxBoxes && offset + 8 <= fileSize; count += 1) {
    const header = await readAt(file, offset, 16);
    const type = header.toString('latin1', 4, 8);
    let boxSize = header.readUInt32BE(0);
    if (boxSize === 1) {
      if (header.length < 16)
        return cutShort(`'${type}' box header`, offset, offset + 16, fileSize, printable(type));
      boxSize = Number(header.readBigUInt64BE(8));
    }
    // Size 0 means "to the end of the file", which is always consistent.
    if (boxSize === 0) break;
    if (boxSize < 8) {
      return {
        ok: false,
        detail: `box '${printable(type)}' at byte ${offset} has an impossible size ${boxSize}`,
        says: [{ code: 'impossible-box', values: { type: printable(type), offset, size: boxSize } }],
      };
    }
    const end = offset + boxSize;
    if (end > fileSize) return cutShort(`'${printable(type)}' box`, offset, end, fileSize, printable(type));
    offset = end;
  }
  return {
    ok: true,
    detail: `top-level boxes account for the whole file (${fileSize} bytes)`,
    says: [{ code: 'boxes-whole', values: { bytes: fileSize } }],
  };
}

/** `box`: the type of the MP4 box cut short; none for a RIFF chunk. */
function cutShort(
  what: string,
  offset: number,
  end: number,
  fileSize: number,
  box?: string,
): ContainerSizeResult {
  const values = { offset, end, size: fileSize, missing: end - fileSize };
  return {
    ok: false,
    detail: `${what} at byte ${offset} ends at byte ${end}, but the file has ${fileSize} bytes (${end - fileSize} missing)`,
    says: [
      box === undefined
        ? { code: 'cut-short-riff', values }
        : { code: 'cut-short-box', values: { ...values, type: box } },
    ],
  };
}

function printable(type: string): string {
  return type.replace(/[^\x20-\x7e]/g, '?');
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}
