import { describe, expect, it } from 'vitest';
import { mountsUnder, parseMountInfo } from '../src/dock/mount-table.ts';

const mountInfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '45 22 8:17 / /media/officer/DSJ\\040RECORDER rw,nosuid,nodev,relatime shared:30 - exfat /dev/sdb1 rw,uid=1000',
  '46 22 7:0 / /run/media/clerk/CAM_02 rw,nosuid,nodev - fuseblk /dev/loop0 rw,user_id=0',
  '47 22 0:50 / /media rw - tmpfs tmpfs rw',
  '48 22 0:51 / /srv/archive rw - ext4 /dev/sdc1 rw',
  '',
].join('\n');

describe('reading the kernel mount table', () => {
  it('reads mount point, file system type and device, undoing the kernel escapes', () => {
    const entries = parseMountInfo(mountInfo);
    expect(entries[1]).toEqual({
      mountPoint: '/media/officer/DSJ RECORDER',
      fsType: 'exfat',
      source: '/dev/sdb1',
    });
    expect(entries[2]).toEqual({
      mountPoint: '/run/media/clerk/CAM_02',
      fsType: 'fuseblk',
      source: '/dev/loop0',
    });
  });

  it('keeps only mounts strictly below the mount roots', () => {
    const below = mountsUnder(parseMountInfo(mountInfo), ['/media', '/run/media']);
    expect(below.map((entry) => entry.mountPoint)).toEqual([
      '/media/officer/DSJ RECORDER',
      '/run/media/clerk/CAM_02',
    ]);
  });
});
