import path from 'node:path';
import type { Recording } from '../ledger/recordings.ts';
import { localDateIn } from '../time/zone.ts';

/**
 * `<stationId>/<local date>/<badge or unassigned>/<recording id>-<file name>`: a district supervisor
 * browsing the bucket finds a station's day and an officer's footage without the ledger.
 */
export function objectKeyOf(stationId: string, recording: Recording, zone: string): string {
  const date = recording.date ?? localDateIn(new Date(recording.ingestedAt), zone);
  const badge = recording.badge ? safeSegment(recording.badge) : 'unassigned';
  const name = path.basename(recording.archivePath ?? recording.sourcePath);
  return `${stationId}/${date}/${badge}/${recording.id}-${safeSegment(name)}`;
}

// Slashes would add key levels; control characters break S3 listings.
function safeSegment(text: string): string {
  return text.replace(/[/\\\u0000-\u001f]/g, '_');
}

/** Where a station's audit anchors live in the bucket. */
export function anchorKeyOf(stationId: string, headId: number, at: Date): string {
  return `${stationId}/_audit-anchors/${at.toISOString().replace(/[:.]/g, '-')}-${headId}.json`;
}
