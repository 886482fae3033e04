import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { inputUrl, runFfmpeg } from '../media/ffmpeg-run.ts';
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
  source: string;
  startSeconds: number;
  seconds: number;
  timeoutMs: number;
}

/** Cuts the audio of `source` from `startSeconds` into an uncompressed WAV (no second lossy generation). */
export async function cutAudioClip(request: ClipRequest): Promise<DerivedClip> {
  const folder = path.join(request.archiveRoot, derivedFolderName, request.kind);
  await mkdir(folder, { recursive: true });
  const partial = path.join(folder, `${partialPrefix}${randomUUID()}.wav`);
  try {
    const run = await runFfmpeg(
      [
        '-v',
        'error',
        '-ss',
        String(request.startSeconds),
        '-i',
        inputUrl(request.source),
        '-t',
        String(request.seconds),
        '-map',
        '0:a:0',
        '-vn',
        '-c:a',
        'pcm_s16le',
        // No encoder tag or other metadata: the same span always makes the same bytes.
        '-map_metadata',
        '-1',
        '-fflags',
        '+bitexact',
        '-flags:a',
        '+bitexact',
        '-f',
        'wav',
        partial,
      ],
      { timeoutMs: request.timeoutMs },
    );
    if (run.exitCode !== 0) {
      throw new Error(`ffmpeg could not cut the clip: ${run.timedOut ? 'timed out' : run.stderr.trim()}`);
    }
    await syncFile(partial);
    const sha256 = await hashFile(partial);
    const { size } = await stat(partial);
    await chmod(partial, 0o444);
    const name = `${request.stem}-${sha256.slice(0, 12)}.wav`;
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
    return { clipPath: path.join(derivedFolderName, request.kind, name), sha256, bytes: size };
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
