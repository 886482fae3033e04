import path from 'node:path';

// Names that Windows/exFAT forbid, plus control characters: the archive may be copied to such disks.
const forbidden = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
// Bidirectional controls make `clip\u202Egnp.mp4` read as `clip4pm.png`: dropped from archive names
// (the ledger's source path keeps the recorder's name as it was).
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const maxNameBytes = 200;

/** A file name safe to create: original characters kept where possible (Chinese included), never a path. */
export function sanitiseFileName(name: string): string {
  const base = name
    .normalize('NFC')
    .replace(bidiControls, '')
    .replace(forbidden, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  const safe = base === '' || base === '..' ? 'recording' : base;
  return truncateUtf8(safe, maxNameBytes);
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const extension = path.extname(name).slice(0, 16);
  let stem = name.slice(0, name.length - extension.length);
  while (Buffer.byteLength(stem + extension) > maxBytes) stem = Array.from(stem).slice(0, -1).join('');
  return stem + extension;
}

/** Folder of a recording inside the archive: local date, then badge (or "unassigned"). */
export function archiveFolder(localDate: string | null, badge: string | null): string {
  const day = localDate ?? 'undated';
  const holder = badge ? sanitiseFileName(badge) : 'unassigned';
  return path.join(day, holder);
}

/** The n-th candidate name for a collision: a.mp4, a_2.mp4, a_3.mp4 … */
export function candidateName(fileName: string, attempt: number): string {
  if (attempt <= 1) return fileName;
  const extension = path.extname(fileName);
  return `${fileName.slice(0, fileName.length - extension.length)}_${attempt}${extension}`;
}
