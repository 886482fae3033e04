import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import { ComplianceError } from './compliance-error.ts';

// Art. 18: the dock daemon finds the gaps (src/dock/interruptions.ts); here the officer explains
// why recording stopped and a clerk accepts the explanation, or sends it back with a reason (also an
// accepted one: the acceptance is withdrawn on the record). Every step is audited, and a finished
// item stays listed: the page filters by state instead of forgetting.

/** open: waiting for the officer (never explained, or sent back); explained: waiting for the clerk. */
export const interruptionStates = ['open', 'explained', 'accepted'] as const;
export type InterruptionState = (typeof interruptionStates)[number];

/** The state as SQL over `interruptions i`; an explanation newer than the send-back answers it. */
export const interruptionStateSql = `CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted'
  WHEN i.explained_at IS NOT NULL AND (i.returned_at IS NULL OR i.explained_at > i.returned_at) THEN 'explained'
  ELSE 'open' END`;

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
  returnedBy: string | null;
  returnedAt: string | null;
  returnReason: string | null;
  state: InterruptionState;
  dockId: number | null;
  /** The officer of the badge, where one is registered. */
  officerName: string | null;
  /** Art. 20 activity kinds of either segment: a gap in these is raised louder. */
  activityKinds: string[];
}

const selectItem = `SELECT i.id, d.serial AS deviceSerial, i.badge, i.before_recording_id AS beforeRecordingId,
  i.after_recording_id AS afterRecordingId, i.gap_start AS gapStart, i.gap_end AS gapEnd, i.gap_seconds AS gapSeconds,
  i.detected_at AS detectedAt, i.explanation, i.explained_by AS explainedBy, i.explained_at AS explainedAt,
  i.accepted_by AS acceptedBy, i.accepted_at AS acceptedAt, i.returned_by AS returnedBy,
  i.returned_at AS returnedAt, i.return_reason AS returnReason, ${interruptionStateSql} AS state,
  i.dock_id AS dockId, o.name AS officerName,
  (SELECT json_group_array(DISTINCT t.kind) FROM activity_tags t
     WHERE t.recording_id IN (i.before_recording_id, i.after_recording_id)) AS activityKinds
  FROM interruptions i LEFT JOIN devices d ON d.id = i.device_id LEFT JOIN officers o ON o.badge = i.badge`;

type ItemRow = Omit<InterruptionItem, 'activityKinds'> & { activityKinds: string };

const toItem = (row: ItemRow): InterruptionItem => ({ ...row, activityKinds: JSON.parse(row.activityKinds) });

export function findInterruptionItem(db: Db, id: number): InterruptionItem | null {
  const row = db.prepare(`${selectItem} WHERE i.id = ?`).get(id) as ItemRow | undefined;
  return row ? toItem(row) : null;
}

/** Interruptions not yet accepted by a clerk, oldest first. */
export function openInterruptions(db: Db): InterruptionItem[] {
  return listInterruptions(db, { states: ['open', 'explained'] });
}

/** Interruptions in these states (all by default), of one dock if asked, oldest gap first. */
export function listInterruptions(
  db: Db,
  filter: { states?: readonly InterruptionState[]; dockId?: number } = {},
): InterruptionItem[] {
  const states = filter.states ?? interruptionStates;
  const where = [`(${interruptionStateSql}) IN (${states.map(() => '?').join(', ')})`];
  const values: (string | number)[] = [...states];
  if (filter.dockId !== undefined) {
    where.push('i.dock_id = ?');
    values.push(filter.dockId);
  }
  return (
    db
      .prepare(`${selectItem} WHERE ${where.join(' AND ')} ORDER BY i.gap_start, i.id`)
      .all(...values) as ItemRow[]
  ).map(toItem);
}

export function explainInterruption(
  db: Db,
  request: { id: number; explanation: string; by: string },
  now: Date,
): InterruptionItem {
  const item = findInterruptionItem(db, request.id);
  if (!item)
    throw new ComplianceError({ key: 'compliance.error.noInterruption', values: { id: request.id } });
  if (item.acceptedAt)
    throw new ComplianceError({ key: 'compliance.error.interruptionAccepted', values: { id: request.id } });
  const explanation = request.explanation.trim();
  if (!explanation) throw new ComplianceError({ key: 'compliance.error.emptyExplanation' });
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

/** A clerk accepts an explanation; an unexplained gap, or one sent back and not yet answered, cannot be. */
export function acceptInterruption(db: Db, request: { id: number; by: string }, now: Date): InterruptionItem {
  const item = findInterruptionItem(db, request.id);
  if (!item)
    throw new ComplianceError({ key: 'compliance.error.noInterruption', values: { id: request.id } });
  if (item.acceptedAt) return item;
  if (item.state !== 'explained')
    throw new ComplianceError({ key: 'compliance.error.nothingToAccept', values: { id: request.id } });
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

/**
 * A clerk sends the explanation back to the officer, saying why; an accepted one loses its
 * acceptance, which the audit entry keeps. The officer's next explanation answers it.
 */
export function returnInterruption(
  db: Db,
  request: { id: number; by: string; reason: string },
  now: Date,
): InterruptionItem {
  const item = findInterruptionItem(db, request.id);
  if (!item)
    throw new ComplianceError({ key: 'compliance.error.noInterruption', values: { id: request.id } });
  if (item.state === 'open')
    throw new ComplianceError({ key: 'compliance.error.nothingToSendBack', values: { id: request.id } });
  const reason = request.reason.trim();
  if (!reason) throw new ComplianceError({ key: 'compliance.error.emptySendBackReason' });
  db.transaction(() => {
    db.prepare(
      `UPDATE interruptions SET returned_by = ?, returned_at = ?, return_reason = ?, accepted_by = NULL,
         accepted_at = NULL WHERE id = ?`,
    ).run(request.by, now.toISOString(), reason, request.id);
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'interruption-returned',
        subjectType: 'interruption',
        subjectId: request.id,
        detail: {
          reason,
          explanation: item.explanation,
          acceptedBy: item.acceptedBy,
          acceptedAt: item.acceptedAt,
        },
      },
      now,
    );
  }).immediate();
  return findInterruptionItem(db, request.id)!;
}
