import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { UsbIdentity } from '../drivers/driver.ts';

const run = promisify(execFile);

/**
 * The USB device behind a block device (/dev/sdb1), found by walking up its sysfs path to the
 * folder that carries idVendor/idProduct. Null for anything not on USB (loop devices, SATA, FUSE).
 */
export async function usbIdentityOfBlockDevice(
  devicePath: string | null,
  sysfsRoot = '/sys',
): Promise<UsbIdentity | null> {
  if (!devicePath?.startsWith('/dev/')) return null;
  let folder: string;
  try {
    folder = await realpath(path.join(sysfsRoot, 'class', 'block', path.basename(devicePath)));
  } catch {
    return null;
  }
  for (; folder.startsWith(`${sysfsRoot}${path.sep}`); folder = path.dirname(folder)) {
    const vendor = await readAttribute(folder, 'idVendor');
    if (vendor === null) continue;
    const product = await readAttribute(folder, 'idProduct');
    return {
      vendorId: Number.parseInt(vendor, 16),
      productId: Number.parseInt(product ?? '0', 16),
      serial: await readAttribute(folder, 'serial'),
      busPath: path.basename(folder),
    };
  }
  return null;
}

/** The file system label of a block device, as blkid reads it from the volume itself. */
export async function volumeLabelOf(devicePath: string | null): Promise<string | null> {
  if (!devicePath?.startsWith('/dev/')) return null;
  try {
    const { stdout } = await run('blkid', ['-o', 'value', '-s', 'LABEL', devicePath], { timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

async function readAttribute(folder: string, name: string): Promise<string | null> {
  const text = await readFile(path.join(folder, name), 'utf8').catch(() => null);
  return text?.trim() || null;
}
