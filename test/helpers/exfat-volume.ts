import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real exFAT file system in an image file on a loop device, as a recorder in mass-storage mode
 * appears to the station. The kernel module is used where present, exfat-fuse otherwise.
 */
export class ExfatVolume {
  loopDevice: string | null = null;
  mountPoint: string | null = null;

  private constructor(readonly image: string) {}

  static async create(image: string, options: { label: string; megabytes?: number }): Promise<ExfatVolume> {
    await mkdir(path.dirname(image), { recursive: true });
    await run('truncate', ['-s', `${options.megabytes ?? 64}M`, image]);
    await run('mkfs.exfat', ['-L', options.label, image]);
    const volume = new ExfatVolume(image);
    volume.loopDevice = (await run('losetup', ['-f', '--show', image])).stdout.trim();
    return volume;
  }

  async mount(mountPoint: string): Promise<void> {
    await mkdir(mountPoint, { recursive: true });
    try {
      await run('mount', ['-t', 'exfat', this.loopDevice!, mountPoint]);
    } catch {
      await run('mount.exfat-fuse', [this.loopDevice!, mountPoint]);
    }
    this.mountPoint = mountPoint;
  }

  /** Copies a prepared folder's contents onto the volume, keeping file times. */
  async fill(from: string, stagingMountPoint: string): Promise<void> {
    await this.mount(stagingMountPoint);
    await run('cp', ['-r', '--preserve=timestamps', `${from}/.`, stagingMountPoint]);
    await this.unmount();
  }

  /** `lazy` plays a pulled cable: the mount is gone at once, whatever still has files open. */
  async unmount(lazy = false): Promise<void> {
    if (!this.mountPoint) return;
    await run('umount', lazy ? ['-l', this.mountPoint] : [this.mountPoint]).catch(() => {});
    this.mountPoint = null;
  }

  async destroy(): Promise<void> {
    await this.unmount(true);
    if (this.loopDevice) await run('losetup', ['-d', this.loopDevice]).catch(() => {});
    this.loopDevice = null;
    await rm(this.image, { force: true });
  }
}
