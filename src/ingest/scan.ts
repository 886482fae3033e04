import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { SourceGoneError } from '../archive/copy-file.ts';
import { type MediaKind, mediaKindOf } from '../media/media-kind.ts';
import { type FileNote, fileNote } from './file-notes.ts';

// A recorder pulled during the scan fails every call: that is the end of the dock, not a folder or a
// file to skip (which would end the dock "done" with its recordings left behind).
const pulledCodes = new Set(['ENOTCONN', 'ECONNABORTED', 'EIO', 'ENODEV', 'ENXIO', 'ESTALE']);

function throwIfPulled(error: unknown, root: string): void {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (pulledCodes.has(code)) throw new SourceGoneError(`source became unreadable (${code}): ${root}`);
}

export interface SourceFile {
  /** Relative to the source root, with forward slashes, as the recorder names it. */
  relativePath: string;
  absolutePath: string;
  sizeBytes: number;
  mtime: Date;
  kind: MediaKind;
}

export interface SkippedFile {
  sourcePath: string;
  /** The technical message, in English. */
  reason: string;
  /** The same for people (file-notes.ts). */
  note: FileNote;
}

export interface ScanResult {
  root: string;
  files: SourceFile[];
  skipped: SkippedFile[];
}

// Folders operating systems create on removable media; never footage.
const systemFolders = new Set(
  [
    'system volume information',
    '$recycle.bin',
    '.trashes',
    '.spotlight-v100',
    '.fseventsd',
    'lost.dir',
    '.partial',
  ].map((name) => name.toLowerCase()),
);

/**
 * Lists the recordings below `root` without following links: a recorder (or someone with one)
 * can plant a symlink to /etc, and the station must never read outside the volume.
 */
export async function scanSource(root: string): Promise<ScanResult> {
  const realRoot = await realpath(root);
  const result: ScanResult = { root: realRoot, files: [], skipped: [] };
  // The whole volume: the driver, chosen from what is found, says which folders hold recordings.
  await walk(realRoot, realRoot, result, new Set());
  const byPath = (a: { relativePath?: string; sourcePath?: string }, b: typeof a) =>
    (a.relativePath ?? a.sourcePath ?? '').localeCompare(b.relativePath ?? b.sourcePath ?? '', 'en', {
      numeric: true,
    });
  result.files.sort(byPath);
  result.skipped.sort(byPath);
  return result;
}

async function walk(root: string, folder: string, result: ScanResult, seen: Set<string>): Promise<void> {
  if (seen.has(folder)) return;
  seen.add(folder);
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throwIfPulled(error, root);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && folder !== root) return;
    result.skipped.push({
      sourcePath: relativeTo(root, folder),
      reason: `folder unreadable (${errorCode(error)})`,
      note: fileNote('folder-unreadable', { detail: errorCode(error) }),
    });
    return;
  }
  for (const entry of entries) {
    const absolutePath = path.join(folder, entry.name);
    const relativePath = relativeTo(root, absolutePath);
    if (entry.isDirectory()) {
      if (!systemFolders.has(entry.name.toLowerCase())) await walk(root, absolutePath, result, seen);
      continue;
    }
    await consider(absolutePath, relativePath, entry, result);
  }
}

async function consider(absolutePath: string, relativePath: string, entry: Dirent, result: ScanResult) {
  const skip = (reason: string, note: FileNote) =>
    result.skipped.push({ sourcePath: relativePath, reason, note });
  if (entry.isSymbolicLink()) return skip('symbolic link, not followed', fileNote('symbolic-link'));
  if (!entry.isFile()) return skip('not a regular file', fileNote('not-regular-file'));
  if (entry.name.startsWith('._')) return skip('operating system metadata file', fileNote('system-metadata'));
  const kind = mediaKindOf(entry.name);
  if (!kind) {
    const extension = path.extname(entry.name) || '-';
    return skip(
      `not a recording (${path.extname(entry.name) || 'no extension'})`,
      fileNote('not-a-recording', { detail: extension }),
    );
  }
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(absolutePath);
  } catch (error) {
    throwIfPulled(error, absolutePath);
    return skip(`unreadable (${errorCode(error)})`, fileNote('unreadable', { detail: errorCode(error) }));
  }
  if (stats.size === 0) return skip('empty file (0 bytes)', fileNote('empty-file'));
  result.files.push({ relativePath, absolutePath, sizeBytes: stats.size, mtime: stats.mtime, kind });
}

function relativeTo(root: string, absolutePath: string): string {
  return path.relative(root, absolutePath).split(path.sep).join('/') || '.';
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
