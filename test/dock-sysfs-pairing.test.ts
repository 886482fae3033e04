import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usbIdentityOfBlockDevice } from '../src/dock/sysfs-pairing.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

// A copy of the sysfs shape the kernel gives a USB stick's partition, built in a temporary folder.
describe('pairing a mounted volume with its USB device through sysfs', () => {
  let sysfs: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    sysfs = await temporaryFolder('sysfs');
    const usbDevice = path.join(sysfs.path, 'devices/pci0000:00/0000:00:14.0/usb1/1-2');
    const partition = path.join(usbDevice, '1-2:1.0/host6/target6:0:0/6:0:0:0/block/sdb/sdb1');
    await mkdir(partition, { recursive: true });
    await writeFile(path.join(usbDevice, 'idVendor'), '2a5f\n');
    await writeFile(path.join(usbDevice, 'idProduct'), '0101\n');
    await writeFile(path.join(usbDevice, 'serial'), 'DSJ0001USB\n');
    const loop = path.join(sysfs.path, 'devices/virtual/block/loop3');
    await mkdir(loop, { recursive: true });
    await mkdir(path.join(sysfs.path, 'class/block'), { recursive: true });
    await symlink(partition, path.join(sysfs.path, 'class/block/sdb1'));
    await symlink(loop, path.join(sysfs.path, 'class/block/loop3'));
  });
  afterAll(() => sysfs.remove());

  it('finds vendor, product, serial and bus path above a USB partition', async () => {
    expect(await usbIdentityOfBlockDevice('/dev/sdb1', sysfs.path)).toEqual({
      vendorId: 0x2a5f,
      productId: 0x0101,
      serial: 'DSJ0001USB',
      busPath: '1-2',
    });
  });

  it('finds nothing for a loop device, an unknown device or a FUSE source', async () => {
    expect(await usbIdentityOfBlockDevice('/dev/loop3', sysfs.path)).toBeNull();
    expect(await usbIdentityOfBlockDevice('/dev/sdz9', sysfs.path)).toBeNull();
    expect(await usbIdentityOfBlockDevice('exfat-fuse', sysfs.path)).toBeNull();
  });
});
