import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import { ComplianceError } from './compliance-error.ts';

// Art. 18: the dock daemon finds the gaps (src/dock/interruptions.ts); here the officer explains
// why recording stopped and a clerk accepts the explanation. Both steps are audited.

export interface InterruptionItem {
  id: number;
  deviceSerial: string | null;
  badge: string | null;
  beforeRecordingId: number;
  afterRecordingId: number;
  gapStart: string;
  gapEnd: string;
  gapSeconds: number;
  detectedAt: string;
  explanation: string | null;
  explainedBy: string | null;
  explainedAt: string | null;
  acceptedBy: string | null;
  acceptedAt: string | null;
  /** Art. 20 activity kinds of either segment: a gap in these is raised louder. */
  activityKinds: string[];
}

const selectItem = `SELECT i.id, d.serial AS deviceSerial, i.badge, i.before_recording_id AS beforeRecordingId,
  i.after_recording_id AS afterRecordingId, i.gap_start AS gapStart, i.gap_end AS gapEnd, i.gap_seconds AS gapSeconds,
  i.detected_at AS detectedAt, i.explanation, i.explained_by AS explainedBy, i.explained_at AS explainedAt,
  i.accepted_by AS acceptedBy, i.accepted_at AS acceptedAt,
  (SELECT json_group_array(DISTINCT t.kind) FROM activity_tags t
     WHERE t.recording_id IN (i.before_recording_id, i.after_recording_id)) AS activityKinds
  FROM interruptions i LEFT JOIN devices d ON d.id = i.device_id`;

type ItemRow = Omit<InterruptionItem, 'activityKinds'> & { activityKinds: string };

const toItem = (row: ItemRow): InterruptionItem => ({ ...row, activityKinds: JSON.parse(row.activityKinds) });

export function findInterruptionItem(db: Db, id: number): InterruptionItem | null {
  const row = db.prepare(`${selectItem} WHERE i.id = ?`).get(id) as ItemRow | undefined;
  return row ? toItem(row) : null;
}

/** Interruptions not yet accepted by a clerk, oldest first. */
export function openInterruptions(db: Db): InterruptionItem[] {
  return (
    db.prepare(`${selectItem} WHERE i.accepted_at IS NULL ORDER BY i.gap_start, i.id`).all() as ItemRow[]
  ).map(toItem);
}

export function explainInterruption(
  db: Db,
  request: { id: number; explanation: string; by: string },
  now: Date,
): InterruptionItem {
  const item = findInterruptionItem(db, request.id);
  if (!item) throw new ComplianceError(`no interruption #${request.id}`);
  if (item.acceptedAt) throw new ComplianceError(`interruption #${request.id} is already accepted`);
  const explanation = request.explanation.trim();
  if (!explanation) throw new ComplianceError('the explanation must not be empty');
  db.transaction(() => {
    db.prepare(
      'UPDATE interruptions SET explanation = ?, explained_by = ?, explained_at = ? WHERE id = ?',
    ).run(explanation, request.by, now.toISOString(), request.id);
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'interruption-explained',
        subjectType: 'interruption',
        subjectId: request.id,
        detail: { explanation, previous: item.explanation },
      },
      now,
    );
  }).immediate();
  return findInterruptionItem(db, request.id)!;
}

/** A clerk accepts an explanation; an unexplained gap cannot be accepted. */
export function acceptInterruption(db: Db, request: { id: number; by: string }, now: Date): InterruptionItem {
  const item = findInterruptionItem(db, request.id);
  if (!item) throw new ComplianceError(`no interruption #${request.id}`);
  if (!item.explainedAt)
    throw new ComplianceError(`interruption #${request.id} has no explanation to accept`);
  if (item.acceptedAt) return item;
  db.transaction(() => {
    db.prepare('UPDATE interruptions SET accepted_by = ?, accepted_at = ? WHERE id = ?').run(
      request.by,
      now.toISOString(),
      request.id,
    );
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'interruption-accepted',
        subjectType: 'interruption',
        subjectId: request.id,
      },
      now,
    );
  }).immediate();
  return findInterruptionItem(db, request.id)!;
}
