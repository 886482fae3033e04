import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from '../log/logger.ts';
import { mountsUnder, readMountTable } from './mount-table.ts';

/** A place where a recorder's files can be read: a mounted volume, or a folder dropped into the dock folder. */
export interface DetectedVolume {
  root: string;
  origin: 'mount' | 'folder';
  /** Block device behind a mount, e.g. /dev/sdb1; null for folders. */
  source: string | null;
  fsType: string | null;
}

export interface MountWatcherOptions {
  /** Volumes mounted below these folders are recorders (desktops mount at /media/USER/LABEL). */
  mountRoots: string[];
  /** Each folder that appears directly inside this one is docked like a volume (demo, tests). */
  folderRoot: string | null;
  /** Poll the kernel mount table; mounting on an existing folder raises no file system event. */
  watchMountTable: boolean;
  /** A volume must stay this long before it is reported: desktops mount, then fix permissions. */
  settleMs: number;
  pollMs?: number;
  mountInfoFile?: string;
  logger: Logger;
}

// Reading /proc/self/mountinfo costs microseconds; a quarter second keeps "plugged in" to "copying" short.
const defaultPollMs = 250;

interface Tracked {
  volume: DetectedVolume;
  reported: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * Watches the mount table and the mount roots and reports volumes that appear and disappear.
 * Both sources only trigger a fresh scan; the scan compares what exists now with what was known.
 */
export class MountWatcher {
  private readonly tracked = new Map<string, Tracked>();
  private readonly appearedListeners = new Set<(volume: DetectedVolume) => void>();
  private readonly disappearedListeners = new Set<(volume: DetectedVolume) => void>();
  private poller?: NodeJS.Timeout;
  private fileWatcher?: FSWatcher;
  private scanning: Promise<void> | null = null;
  private scanAgain = false;
  private stopped = false;

  constructor(private readonly options: MountWatcherOptions) {}

  onAppeared(listener: (volume: DetectedVolume) => void): void {
    this.appearedListeners.add(listener);
  }

  onDisappeared(listener: (volume: DetectedVolume) => void): void {
    this.disappearedListeners.add(listener);
  }

  /** Reports what is already there (after the settle time), then keeps watching. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.options.folderRoot) await mkdir(this.options.folderRoot, { recursive: true });
    const watched = [...this.options.mountRoots, this.options.folderRoot ?? ''].filter(
      (folder) => folder && existsSync(folder),
    );
    if (watched.length) {
      this.fileWatcher = watch(watched, { ignoreInitial: true, depth: 1, followSymlinks: false });
      this.fileWatcher.on('addDir', () => this.rescan());
      this.fileWatcher.on('unlinkDir', () => this.rescan());
      this.fileWatcher.on('error', (error) =>
        this.options.logger.warn({ err: error }, 'mount root watch failed; relying on the mount table'),
      );
    }
    if (this.options.watchMountTable) {
      this.poller = setInterval(() => this.rescan(), this.options.pollMs ?? defaultPollMs);
    }
    await this.rescan();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    for (const entry of this.tracked.values()) clearTimeout(entry.timer);
    this.tracked.clear();
    await this.fileWatcher?.close();
    await this.scanning;
  }

  /** Volumes reported and still present. */
  current(): DetectedVolume[] {
    return [...this.tracked.values()].filter((entry) => entry.reported).map((entry) => entry.volume);
  }

  /** Scans now; concurrent calls share one scan and ask for one more after it. */
  rescan(): Promise<void> {
    if (this.scanning) {
      this.scanAgain = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.scanAgain = false;
        await this.scanOnce().catch((error) =>
          this.options.logger.warn({ err: error }, 'volume scan failed'),
        );
      } while (this.scanAgain && !this.stopped);
    })().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const present = await this.presentVolumes();
    if (this.stopped) return;
    const roots = new Set(present.map((volume) => volume.root));
    for (const [root, entry] of this.tracked) {
      if (roots.has(root)) continue;
      clearTimeout(entry.timer);
      this.tracked.delete(root);
      if (entry.reported) for (const listener of this.disappearedListeners) listener(entry.volume);
    }
    for (const volume of present) {
      if (this.tracked.has(volume.root)) continue;
      const entry: Tracked = { volume, reported: false };
      this.tracked.set(volume.root, entry);
      entry.timer = setTimeout(() => this.report(entry), this.options.settleMs);
    }
  }

  private report(entry: Tracked): void {
    if (this.tracked.get(entry.volume.root) !== entry || this.stopped) return;
    entry.reported = true;
    for (const listener of this.appearedListeners) listener(entry.volume);
  }

  // A failed read throws and the scan is skipped: reading "nothing" would undock every recorder.
  private async presentVolumes(): Promise<DetectedVolume[]> {
    const table = await readMountTable(this.options.mountInfoFile);
    const mounts: DetectedVolume[] = mountsUnder(table, this.options.mountRoots).map((entry) => ({
      root: entry.mountPoint,
      origin: 'mount',
      source: entry.source,
      fsType: entry.fsType,
    }));
    return [...mounts, ...(await this.folders())];
  }

  private async folders(): Promise<DetectedVolume[]> {
    const root = this.options.folderRoot;
    if (!root) return [];
    const entries = await readdir(root, { withFileTypes: true });
    // Names starting with a dot are folders still being prepared; they are renamed in when complete.
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => ({ root: path.join(root, entry.name), origin: 'folder', source: null, fsType: null }));
  }
}
