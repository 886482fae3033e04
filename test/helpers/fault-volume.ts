import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ExfatVolume } from './exfat-volume.ts';

const run = promisify(execFile);

/**
 * A recorder as an exFAT volume served by exfat-fuse, whose cable can really be pulled: killing the
 * FUSE server by its pid makes the kernel fail every further read of files already open (ENOTCONN),
 * which is what a recorder unplugged mid-copy does. `umount -l` is no pull: open files keep reading.
 */
export class PullableVolume {
  /** A pull still settling: its clean-up must not unmount the next plug-in. */
  private pulling: Promise<void> = Promise.resolve();

  private constructor(
    readonly volume: ExfatVolume,
    readonly mountPoint: string,
  ) {}

  /** Makes the image, fills it from `content` and mounts it at `mountPoint` through exfat-fuse. */
  static async create(options: {
    image: string;
    label: string;
    content: string;
    staging: string;
    mountPoint: string;
    megabytes?: number;
  }): Promise<PullableVolume> {
    const volume = await ExfatVolume.create(options.image, {
      label: options.label,
      megabytes: options.megabytes,
    });
    await volume.fill(options.content, options.staging);
    return new PullableVolume(volume, options.mountPoint);
  }

  async plugIn(): Promise<void> {
    await this.pulling;
    await run('mkdir', ['-p', this.mountPoint]);
    await run('mount.exfat-fuse', [this.volume.loopDevice!, this.mountPoint]);
    this.volume.mountPoint = this.mountPoint;
  }

  /** The FUSE server of this mount, found by its command line. */
  async serverPid(): Promise<number> {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      const args = argv.split('\0');
      if (args.some((arg) => arg.includes('exfat')) && args.includes(this.mountPoint)) return Number(entry);
    }
    throw new Error(`no exfat-fuse server serves ${this.mountPoint}`);
  }

  /**
   * Pulls the cable: reads fail at once; `settleMs` later the dead mount leaves the mount table, as
   * the desktop's automounter cleans it up after the device is gone.
   */
  pull(pid: number, settleMs = 300): Promise<void> {
    // Never 0 or negative: that would signal a whole process group.
    if (!(pid > 1)) throw new Error(`not a FUSE server pid: ${pid}`);
    process.kill(pid, 'SIGKILL');
    this.pulling = new Promise((resolve) =>
      setTimeout(() => {
        void this.unplugged().then(resolve);
      }, settleMs),
    );
    return this.pulling;
  }

  /** Takes the dead mount out of the table (the automounter's part after a pull). */
  async unplugged(): Promise<void> {
    await run('umount', ['-l', this.mountPoint]).catch(() => {});
    this.volume.mountPoint = null;
  }

  async destroy(): Promise<void> {
    await this.volume.destroy();
  }
}

/** Content for a pull mid-copy: a file large enough that the pull lands while it is being copied. */
export async function writeLargeRecording(file: string, megabytes: number): Promise<void> {
  await run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${megabytes}`, 'status=none']);
}
