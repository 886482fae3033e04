import type { Db } from '../ledger/database.ts';
import type { AuditAction } from './audit-log.ts';
import { recordWindowed } from './audit-windows.ts';

/** An inclusive byte range of a file, as HTTP's Range header counts. */
export type ByteRange = [start: number, end: number];

export interface ServedBytes {
  action: Extract<AuditAction, 'view' | 'download'>;
  actor: string;
  /** A digest of the session or token, never the secret itself: one player's ranges belong together. */
  session: string;
  subjectType: 'recording' | 'access-request';
  subjectId: number;
  file: string;
  size: number;
  range: ByteRange;
  via: string;
  /** The approved request that allowed it, when a grant did. */
  grant?: number | null;
}

/**
 * Every byte served is on the record: each range of footage or of an evidence disc sent to anyone.
 * A player asks for many ranges of one file; they are coalesced per session and file for a few
 * minutes into one entry that lists the ranges served, how many bytes and how many requests.
 */
export function recordServedBytes(db: Db, served: ServedBytes, now: Date): void {
  const bytes = served.range[1] - served.range[0] + 1;
  recordWindowed(
    db,
    {
      key: `served:${served.session}:${served.subjectType}:${served.subjectId}:${served.file}`,
      action: served.action,
      actor: served.actor,
      subjectType: served.subjectType,
      subjectId: served.subjectId,
      detail: {
        via: served.via,
        ...(served.grant ? { grant: served.grant } : {}),
        file: served.file,
        size: served.size,
        session: served.session,
        ranges: [served.range],
        bytes,
        requests: 1,
      },
    },
    (merged, event) => ({
      ...merged,
      ranges: mergeRanges([...(merged.ranges as ByteRange[]), ...(event.ranges as ByteRange[])]),
      bytes: (merged.bytes as number) + (event.bytes as number),
      requests: (merged.requests as number) + 1,
    }),
    now,
  );
}

/** Overlapping and touching ranges joined, in order: what of the file left the station. */
export function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: ByteRange[] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
