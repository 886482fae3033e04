import { createHash, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { hashFile, syncFile } from './copy-file.ts';

// Files the station makes from archived footage (an audio clip of a spoken reason, say) live apart
// from the originals, in `.derived/` inside the archive: an original is never opened for writing,
// and a derived file is never mistaken for footage that came off a recorder. Like an original, a
// derived file is written under a temporary name, hashed, flushed and linked into place read-only.

export const derivedFolderName = '.derived';
const partialPrefix = '.partial-';

export interface DerivedClip {
  /** Relative to the archive root, like a recording's archive path. */
  clipPath: string;
  sha256: string;
  bytes: number;
}

export interface ClipRequest {
  archiveRoot: string;
  /** Sub-folder of `.derived/` for this kind of clip, e.g. "spoken-reason". */
  kind: string;
  /** File name stem; the content's hash is appended so a re-run finds its own earlier clip. */
  stem: string;
  /** File name ending, e.g. "wav". */
  extension: string;
  /** The whole file, made by the caller from samples it already holds (no second decoding). */
  bytes: Buffer;
}

/** Writes a derived file the way an original is archived: temporary name, flushed, read-only, linked. */
export async function writeDerivedClip(request: ClipRequest): Promise<DerivedClip> {
  const folder = path.join(request.archiveRoot, derivedFolderName, request.kind);
  await mkdir(folder, { recursive: true });
  const partial = path.join(folder, `${partialPrefix}${randomUUID()}.${request.extension}`);
  try {
    const handle = await open(partial, 'wx', 0o600);
    try {
      await handle.writeFile(request.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const sha256 = createHash('sha256').update(request.bytes).digest('hex');
    await chmod(partial, 0o444);
    const name = `${request.stem}-${sha256.slice(0, 12)}.${request.extension}`;
    const final = path.join(folder, name);
    try {
      await link(partial, final);
    } catch (error) {
      // A run killed after placing its clip and before recording it made these same bytes.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || (await hashFile(final)) !== sha256)
        throw error;
    }
    await rm(partial, { force: true });
    await syncFile(folder);
    return {
      clipPath: path.join(derivedFolderName, request.kind, name),
      sha256,
      bytes: request.bytes.length,
    };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Removes clips a killed process left half-written; run at start, before any new clip is cut. */
export async function sweepPartialClips(archiveRoot: string): Promise<number> {
  const root = path.join(archiveRoot, derivedFolderName);
  const kinds = await readdir(root).catch(() => [] as string[]);
  let removed = 0;
  for (const kind of kinds) {
    const names = await readdir(path.join(root, kind)).catch(() => [] as string[]);
    for (const name of names.filter((entry) => entry.startsWith(partialPrefix))) {
      await rm(path.join(root, kind, name), { force: true });
      removed++;
    }
  }
  return removed;
}
