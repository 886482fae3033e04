import { execFile } from 'node:child_process';
import { mkdir, readdir, realpath, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log/logger.ts';
import { readMountTable } from './mount-table.ts';

const run = promisify(execFile);

// File systems recorders and cameras use; anything else on a USB disk is not ours to mount.
const recorderFileSystems = new Set(['vfat', 'exfat', 'ntfs', 'ntfs3']);

export interface AutoMountOptions {
  /** Mounts go below this folder (the first dock mount root), where the mount watcher looks. */
  mountRoot: string;
  logger: Logger;
  /** Block devices that may hold a recorder; USB-backed devices from sysfs by default. */
  candidates?: () => Promise<string[]>;
  pollMs?: number;
}

/**
 * For stations without a desktop that mounts USB storage: mounts each new USB block device with a
 * recorder file system read-only (the station never writes to a recorder unless a driver must), and
 * unmounts what it mounted when the device goes away. Off unless `dock.autoMount` is set.
 */
export class AutoMounter {
  private readonly mounted = new Map<string, string>();
  private readonly refused = new Set<string>();
  private timer?: NodeJS.Timeout;
  private busy: Promise<void> | null = null;

  constructor(private readonly options: AutoMountOptions) {}

  async start(): Promise<void> {
    await mkdir(this.options.mountRoot, { recursive: true });
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.busy;
    for (const device of [...this.mounted.keys()]) await this.release(device);
  }

  private tick(): Promise<void> {
    this.busy ??= this.reconcile()
      .catch((error) => this.options.logger.warn({ err: error }, 'auto-mount check failed'))
      .finally(() => {
        this.busy = null;
      });
    return this.busy;
  }

  private async reconcile(): Promise<void> {
    const present = new Set(await (this.options.candidates ?? usbBlockDevices)());
    for (const device of this.mounted.keys()) if (!present.has(device)) await this.release(device);
    for (const device of this.refused) if (!present.has(device)) this.refused.delete(device);
    const inUse = new Set((await readMountTable()).map((entry) => entry.source));
    for (const device of present) {
      if (this.mounted.has(device) || this.refused.has(device) || inUse.has(device)) continue;
      await this.mountReadOnly(device);
    }
  }

  private async mountReadOnly(device: string): Promise<void> {
    const type = await fileSystemType(device);
    if (!type || !recorderFileSystems.has(type)) {
      this.refused.add(device);
      return;
    }
    const folder = path.join(this.options.mountRoot, `station-${path.basename(device)}`);
    await mkdir(folder, { recursive: true });
    try {
      await run('mount', ['-t', type, '-o', 'ro,nosuid,nodev,noexec', device, folder]);
    } catch (error) {
      // Kernels before 5.7 have no exFAT driver; exfat-fuse reads it from user space.
      if (type !== 'exfat') throw error;
      await run('mount.exfat-fuse', ['-o', 'ro', device, folder]);
    }
    this.mounted.set(device, folder);
    this.options.logger.info({ device, folder, type }, 'mounted recorder storage read-only');
  }

  private async release(device: string): Promise<void> {
    const folder = this.mounted.get(device)!;
    this.mounted.delete(device);
    await run('umount', ['-l', folder]).catch(() => {});
    await rmdir(folder).catch(() => {});
    this.options.logger.info({ device, folder }, 'unmounted recorder storage');
  }
}

async function fileSystemType(device: string): Promise<string | null> {
  try {
    const { stdout } = await run('blkid', ['-o', 'value', '-s', 'TYPE', device], { timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/** Partitions and unpartitioned disks whose sysfs path runs through a USB controller. */
async function usbBlockDevices(): Promise<string[]> {
  const names = await readdir('/sys/class/block').catch(() => []);
  const devices: string[] = [];
  for (const name of names) {
    const sysfsPath = await realpath(path.join('/sys/class/block', name)).catch(() => '');
    if (!sysfsPath.includes('/usb')) continue;
    const children = await readdir(sysfsPath).catch(() => []);
    const hasPartitions = children.some((child) => child.startsWith(name));
    if (!hasPartitions) devices.push(`/dev/${name}`);
  }
  return devices;
}
