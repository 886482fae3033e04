import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface MountEntry {
  mountPoint: string;
  /** The mounted device, e.g. /dev/sdb1 or /dev/loop3 (FUSE mounts keep it too). */
  source: string;
  fsType: string;
}

/** The kernel's view of what is mounted where; read fresh each time, it is a few kilobytes. */
export async function readMountTable(file = '/proc/self/mountinfo'): Promise<MountEntry[]> {
  return parseMountInfo(await readFile(file, 'utf8'));
}

// mountinfo: "id parent major:minor root mount-point options [optional...] - fstype source super-options".
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields.length < separator + 3) continue;
    entries.push({
      mountPoint: unescapeMountField(fields[4]),
      fsType: fields[separator + 1],
      source: unescapeMountField(fields[separator + 2]),
    });
  }
  return entries;
}

// The kernel writes space, tab, newline and backslash in paths as octal escapes (\040 and so on).
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mounts strictly below one of the roots: a volume a desktop or udev rule mounted for a recorder. */
export function mountsUnder(entries: MountEntry[], roots: string[]): MountEntry[] {
  return entries.filter((entry) =>
    roots.some((root) => {
      const relative = path.relative(root, entry.mountPoint);
      return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    }),
  );
}
