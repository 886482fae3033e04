import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, rm, statfs, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { formatBytes } from '../i18n/format.ts';
import { type Db, withoutWaitingForDisk, writeDurably } from '../ledger/database.ts';
import {
  type CopyOptions,
  type CopyResult,
  classifyArchive,
  copyWithHash,
  DiskFullError,
  syncFile,
} from './copy-file.ts';
import { HashPool } from './hash-pool.ts';
import { archiveFolder, candidateName, sanitiseFileName } from './layout.ts';

export class VerificationError extends Error {}

// The copies and the read-backs are hashed on one worker per core, up to four: beyond that the archive
// disk, not SHA-256, is the limit.
const hashWorkers = Math.max(1, Math.min(4, availableParallelism()));

// A copy or read-back that ends is often followed at once by the next file's: the archive counts as
// quiet only after this long with none running.
const quietAfterMs = 250;

export interface PartialCopy extends CopyResult {
  partialPath: string;
}

/**
 * The archive folder. A copy is part of it only once placed under its final name and re-read;
 * until then it lives in `.partial/` on the same volume, so the final step is a rename, never a copy.
 */
export class Archive {
  readonly partialDir: string;
  private hashPool: HashPool | null = null;
  /** Copies and read-backs running now; the playback checks wait for the archive to be quiet. */
  private running = 0;
  private settling: NodeJS.Timeout | undefined;
  private readonly quietWaiters = new Set<() => void>();

  constructor(
    readonly root: string,
    private readonly db: Db,
  ) {
    this.partialDir = path.join(root, '.partial');
  }

  async prepare(): Promise<void> {
    await mkdir(this.partialDir, { recursive: true });
  }

  absolutePath(archivePath: string): string {
    return path.join(this.root, archivePath);
  }

  async close(): Promise<void> {
    await this.hashPool?.close();
    this.hashPool = null;
  }

  async freeBytes(): Promise<number> {
    const stats = await statfs(this.root);
    return stats.bavail * stats.bsize;
  }

  /** Stops before a copy that would leave less than `reserveBytes` free. */
  async ensureRoomFor(bytes: number, reserveBytes: number): Promise<void> {
    const free = await this.freeBytes();
    if (free < bytes + reserveBytes) {
      throw new DiskFullError(
        `archive disk is full: ${formatBytes(free)} free, this file needs ${formatBytes(bytes)} plus ${formatBytes(reserveBytes)} reserve`,
      );
    }
  }

  /** Copies and hashes a source file into `.partial/`, journalled so a killed process leaves nothing behind. */
  async copyIn(sourcePath: string, options: CopyOptions): Promise<PartialCopy> {
    const partialPath = path.join(
      this.partialDir,
      `${randomUUID()}${path.extname(sourcePath).toLowerCase()}`,
    );
    // Not waited onto the disk: until place() records the final name (a commit that waits, and so
    // also makes this one durable) the copy is only in .partial/, which the start-up sweep empties.
    withoutWaitingForDisk(this.db, () =>
      this.db
        .prepare('INSERT INTO copies_in_flight (partial_path, source_path, started_at) VALUES (?, ?, ?)')
        .run(partialPath, sourcePath, new Date().toISOString()),
    );
    try {
      const result = await this.working(() =>
        copyWithHash(sourcePath, partialPath, { ...options, hash: this.pool().stream() }),
      );
      return { ...result, partialPath };
    } catch (error) {
      await this.discard(partialPath);
      throw error;
    }
  }

  /**
   * Flushes a partial copy, then moves it to its final name, read-only, never replacing an existing
   * file (link() fails where rename() would silently overwrite). Returns the path inside the archive.
   */
  async place(
    partialPath: string,
    folder: { localDate: string | null; badge: string | null; fileName: string },
  ): Promise<string> {
    try {
      return await this.placeUnder(partialPath, folder);
    } catch (error) {
      throw classifyArchive(error, partialPath);
    }
  }

  private async placeUnder(
    partialPath: string,
    folder: { localDate: string | null; badge: string | null; fileName: string },
  ): Promise<string> {
    const relativeFolder = archiveFolder(folder.localDate, folder.badge);
    const absoluteFolder = path.join(this.root, relativeFolder);
    await chmod(partialPath, 0o444);
    // The copy's flush and the journal's run at once: the file system commits both in one go.
    const flushed = syncFile(partialPath);
    const folderMade = mkdir(absoluteFolder, { recursive: true });
    const fileName = sanitiseFileName(folder.fileName);
    for (let attempt = 1; ; attempt++) {
      const archivePath = path.join(relativeFolder, candidateName(fileName, attempt));
      try {
        // The name is on the disk before the file is: a crash in between leaves the sweep a name to remove.
        const journalled = writeDurably(this.db, () =>
          this.db
            .prepare('UPDATE copies_in_flight SET final_path = ? WHERE partial_path = ?')
            .run(archivePath, partialPath),
        );
        await Promise.all([flushed, folderMade, journalled]);
        await link(partialPath, path.join(this.root, archivePath));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      await unlink(partialPath);
      // Only the final folder is flushed: a name left behind in .partial/ by a crash, the sweep removes.
      await syncFolder(absoluteFolder);
      return archivePath;
    }
  }

  /**
   * Re-reads the placed file from disk; its hash must equal the one computed while copying. It runs on
   * a worker thread, so the next file's copy goes on meanwhile.
   */
  async readBack(archivePath: string, expectedSha256: string): Promise<void> {
    const actual = await this.working(() => this.pool().hash(this.absolutePath(archivePath)));
    if (actual !== expectedSha256) {
      throw new VerificationError(`read-back of ${archivePath} gave ${actual}, copy gave ${expectedSha256}`);
    }
  }

  /**
   * Resolves once no copy or read-back has run for a moment, or at `deadline` (`performance.now()`
   * time) at the latest. The playback checks wait here: a copy is what an officer waits for at the
   * dock, the docks are bound by this one disk (three passes of every byte), and a decode beside them
   * takes its share of the disk whatever its CPU priority.
   */
  whenQuiet(deadline: number): Promise<void> {
    if (this.running === 0 && !this.settling) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.quietWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - performance.now()));
      this.quietWaiters.add(done);
    });
  }

  private async working<T>(operation: () => Promise<T>): Promise<T> {
    this.running += 1;
    clearTimeout(this.settling);
    this.settling = undefined;
    try {
      return await operation();
    } finally {
      this.running -= 1;
      if (this.running === 0) {
        this.settling = setTimeout(() => {
          this.settling = undefined;
          for (const done of [...this.quietWaiters]) done();
        }, quietAfterMs).unref();
      }
    }
  }

  /** Ends the journal entry of a copy; call inside the transaction that writes its ledger row. */
  finishJournal(partialPath: string): void {
    this.db.prepare('DELETE FROM copies_in_flight WHERE partial_path = ?').run(partialPath);
  }

  /**
   * Throws a copy away: the partial file and, if it was already placed, its unrecorded final name.
   * It runs on error paths and never throws itself: what it cannot remove now (a read-only archive, a
   * ledger held by another process) stays in the journal, and the start-up sweep removes it.
   */
  async discard(partialPath: string): Promise<boolean> {
    try {
      const entry = this.db
        .prepare('SELECT final_path FROM copies_in_flight WHERE partial_path = ?')
        .get(partialPath) as { final_path: string | null } | undefined;
      await rm(partialPath, { force: true });
      if (entry?.final_path && !this.isRecorded(entry.final_path)) {
        await rm(this.absolutePath(entry.final_path), { force: true });
      }
      this.finishJournal(partialPath);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Start-up sweep: whatever a stopped process left half-done is removed. Files with a ledger row are
   * never touched; everything in `.partial/` is by definition not part of the archive.
   */
  async sweep(): Promise<{ removed: string[] }> {
    await this.prepare();
    const removed: string[] = [];
    const entries = this.db.prepare('SELECT partial_path FROM copies_in_flight').pluck().all() as string[];
    for (const partialPath of entries) {
      if (!(await this.discard(partialPath)))
        throw new Error(`could not remove the partial copy ${partialPath}`);
      removed.push(partialPath);
    }
    for (const name of await readdir(this.partialDir)) {
      await rm(path.join(this.partialDir, name), { force: true, recursive: true });
      removed.push(path.join(this.partialDir, name));
    }
    return { removed: [...new Set(removed)] };
  }

  private pool(): HashPool {
    this.hashPool ??= new HashPool(hashWorkers);
    return this.hashPool;
  }

  private isRecorded(archivePath: string): boolean {
    return this.db.prepare('SELECT 1 FROM recordings WHERE archive_path = ?').get(archivePath) !== undefined;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
