import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';

export interface Interruption {
  id: number;
  deviceId: number;
  dockId: number | null;
  beforeRecordingId: number;
  afterRecordingId: number;
  gapStart: string;
  gapEnd: string;
  gapSeconds: number;
  badge: string | null;
  detectedAt: string;
}

interface Segment {
  id: number;
  kind: string;
  startMs: number;
  endMs: number;
  badge: string | null;
}

/**
 * Art. 18: a recorder that stopped mid-activity must be explained. Among the recordings that were on
 * the recorder at this dock, consecutive segments of one kind whose gap (end of one to start of the
 * next) exceeds the threshold become interruptions. A gap longer than the activity break separates two
 * activities (yesterday's footage still on the recorder, say) and is no interruption. Photos are single
 * shots and never count.
 * Already-known pairs are left alone, so re-docking the same footage adds nothing.
 */
export function detectInterruptions(
  db: Db,
  dock: { dockId: number; deviceId: number; thresholdSeconds: number; activityBreakSeconds: number },
  now: Date,
): Interruption[] {
  const byKind = new Map<string, Segment[]>();
  for (const segment of segmentsOnDock(db, dock.dockId)) {
    byKind.set(segment.kind, [...(byKind.get(segment.kind) ?? []), segment]);
  }
  const found: Interruption[] = [];
  for (const segments of byKind.values()) {
    for (let index = 1; index < segments.length; index++) {
      const before = segments[index - 1];
      const after = segments[index];
      const gapSeconds = (after.startMs - before.endMs) / 1000;
      if (gapSeconds <= dock.thresholdSeconds || gapSeconds > dock.activityBreakSeconds) continue;
      const saved = saveInterruption(db, dock, before, after, gapSeconds, now);
      if (saved) found.push(saved);
    }
  }
  return found;
}

// Each piece of content once (a duplicate row shares its original's times), in time order.
function segmentsOnDock(db: Db, dockId: number): Segment[] {
  return db
    .prepare(
      `SELECT MIN(r.id) AS id, r.kind, r.start_ms AS startMs, r.end_ms AS endMs, r.badge
       FROM dock_files f JOIN recordings r ON r.id = f.recording_id
       WHERE f.dock_id = ? AND r.kind IN ('video', 'audio') AND r.start_ms IS NOT NULL AND r.end_ms IS NOT NULL
       GROUP BY r.sha256 ORDER BY r.start_ms, r.id`,
    )
    .all(dockId) as Segment[];
}

function saveInterruption(
  db: Db,
  dock: { dockId: number; deviceId: number },
  before: Segment,
  after: Segment,
  gapSeconds: number,
  now: Date,
): Interruption | null {
  return db
    .transaction(() => {
      const result = db
        .prepare(
          `INSERT OR IGNORE INTO interruptions (device_id, dock_id, before_recording_id, after_recording_id,
           gap_start, gap_end, gap_seconds, badge, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          dock.deviceId,
          dock.dockId,
          before.id,
          after.id,
          new Date(before.endMs).toISOString(),
          new Date(after.startMs).toISOString(),
          gapSeconds,
          after.badge ?? before.badge,
          now.toISOString(),
        );
      if (result.changes === 0) return null;
      const interruption = findInterruption(db, Number(result.lastInsertRowid))!;
      appendAudit(
        db,
        {
          actor: 'station',
          action: 'interruption-detected',
          subjectType: 'interruption',
          subjectId: interruption.id,
          detail: {
            beforeRecordingId: before.id,
            afterRecordingId: after.id,
            gapSeconds,
            dockId: dock.dockId,
          },
        },
        now,
      );
      return interruption;
    })
    .immediate();
}

export function findInterruption(db: Db, id: number): Interruption | null {
  return (
    (db
      .prepare(
        `SELECT id, device_id AS deviceId, dock_id AS dockId, before_recording_id AS beforeRecordingId,
           after_recording_id AS afterRecordingId, gap_start AS gapStart, gap_end AS gapEnd,
           gap_seconds AS gapSeconds, badge, detected_at AS detectedAt FROM interruptions WHERE id = ?`,
      )
      .get(id) as Interruption | undefined) ?? null
  );
}
