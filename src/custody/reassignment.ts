import type { User } from '../auth/users.ts';
import { englishText, label, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findOfficerByBadge, LedgerError } from '../ledger/officers.ts';
import { findRecording } from '../ledger/recordings.ts';
import { appendAudit } from './audit-log.ts';
import { writeSealedFields } from './ledger-mutator.ts';
import { type Refusal, refusesReassignmentDecision } from './release-rules.ts';

// Whose recording it is decides who may see it without a grant. The clerk gives an unassigned
// recording its officer; moving an assigned one to another officer is a correction with a reason,
// asked for by one person and approved by a leader who is another.

/** Moving an assigned recording needs a reassignment request (exit 1 / HTTP 409). */
export class ReassignmentRefused extends TranslatedError {}

export interface ReassignmentRequest {
  id: number;
  recordingId: number;
  fromBadge: string | null;
  toBadge: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  state: 'pending' | 'approved' | 'refused';
  decidedBy: string | null;
  decidedAt: string | null;
}

/** Gives an unassigned recording its officer; the assignment is logged with who made it. */
export function assignOfficer(db: Db, id: number, badge: string, clerk: User, now: Date): void {
  const officer = findOfficerByBadge(db, badge.trim());
  if (!officer) throw new LedgerError({ key: 'ledger.error.noOfficer', values: { badge } });
  db.transaction(() => {
    const recording = findRecording(db, id);
    if (!recording) throw new LedgerError({ key: 'error.noRecording', values: { id } });
    if (recording.officerId !== null && recording.officerId !== officer.id) {
      appendAudit(
        db,
        {
          actor: clerk.name,
          action: 'access-refused',
          subjectType: 'recording',
          subjectId: id,
          detail: { attempted: 'assign-officer', badge: officer.badge, reason: 'already assigned' },
        },
        now,
      );
      throw new ReassignmentRefused({
        key: 'refusal.alreadyAssigned',
        values: { id, badge: recording.badge ?? '' },
      });
    }
    writeSealedFields(
      db,
      id,
      { officerId: officer.id, badge: officer.badge, officerName: officer.name },
      {
        actor: clerk.name,
        action: 'assign-officer',
        detail: { badge: officer.badge, previousBadge: recording.badge },
      },
      now,
    );
  }).immediate();
}

export function requestReassignment(
  db: Db,
  input: { recordingId: number; badge: string; reason: string; by: User },
  now: Date,
): ReassignmentRequest {
  const reason = input.reason.trim();
  if (!reason) throw new LedgerError({ key: 'ledger.error.reassignmentReason' });
  const officer = findOfficerByBadge(db, input.badge.trim());
  if (!officer) throw new LedgerError({ key: 'ledger.error.noOfficer', values: { badge: input.badge } });
  return db
    .transaction(() => {
      const recording = findRecording(db, input.recordingId);
      if (!recording) throw new LedgerError({ key: 'error.noRecording', values: { id: input.recordingId } });
      if (recording.badge === officer.badge)
        throw new LedgerError({
          key: 'ledger.error.alreadyOfficers',
          values: { id: recording.id, badge: officer.badge },
        });
      const id = Number(
        db
          .prepare(
            `INSERT INTO reassignment_requests (recording_id, from_badge, to_badge, reason, requested_by, requested_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(recording.id, recording.badge, officer.badge, reason, input.by.name, now.toISOString())
          .lastInsertRowid,
      );
      appendAudit(
        db,
        {
          actor: input.by.name,
          action: 'reassignment-request',
          subjectType: 'recording',
          subjectId: recording.id,
          detail: { request: id, from: recording.badge, to: officer.badge, reason },
        },
        now,
      );
      return findReassignment(db, id)!;
    })
    .immediate();
}

/** A leader other than the requester approves (the officer changes, as a correction) or refuses. */
export function decideReassignment(
  db: Db,
  id: number,
  decision: { by: User; approve: boolean },
  now: Date,
): ReassignmentRequest {
  return db
    .transaction(() => {
      const request = findReassignment(db, id);
      if (!request) throw new LedgerError({ key: 'ledger.error.noReassignment', values: { id } });
      const refusal: Refusal | null =
        refusesReassignmentDecision(decision.by, request.requestedBy) ??
        (request.state !== 'pending'
          ? {
              key: 'refusal.reassignmentDecided',
              values: { id, state: label('dash.access.state.', request.state) },
            }
          : null);
      if (refusal) {
        appendAudit(
          db,
          {
            actor: decision.by.name,
            action: 'access-refused',
            subjectType: 'reassignment',
            subjectId: id,
            detail: { attempted: decision.approve ? 'approve' : 'refuse', reason: englishText(refusal) },
          },
          now,
        );
        throw new ReassignmentRefused(refusal);
      }
      db.prepare(
        'UPDATE reassignment_requests SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?',
      ).run(decision.approve ? 'approved' : 'refused', decision.by.name, now.toISOString(), id);
      if (!decision.approve) {
        appendAudit(
          db,
          {
            actor: decision.by.name,
            action: 'reassignment-decision',
            subjectType: 'recording',
            subjectId: request.recordingId,
            detail: { request: id, decision: 'refused' },
          },
          now,
        );
        return findReassignment(db, id)!;
      }
      const recording = findRecording(db, request.recordingId)!;
      const officer = findOfficerByBadge(db, request.toBadge);
      if (!officer)
        throw new LedgerError({ key: 'ledger.error.noOfficer', values: { badge: request.toBadge } });
      const entry = writeSealedFields(
        db,
        recording.id,
        { officerId: officer.id, badge: officer.badge, officerName: officer.name },
        {
          actor: decision.by.name,
          action: 'correction',
          detail: {
            field: 'badge',
            old: recording.badge,
            new: officer.badge,
            reason: request.reason,
            reassignment: id,
            requestedBy: request.requestedBy,
            approvedBy: decision.by.name,
          },
        },
        now,
      );
      db.prepare(
        `INSERT INTO corrections (recording_id, field, old_value, new_value, corrected_by, reason, at, audit_id)
         VALUES (?, 'badge', ?, ?, ?, ?, ?, ?)`,
      ).run(
        recording.id,
        JSON.stringify(recording.badge),
        JSON.stringify(officer.badge),
        `${request.requestedBy}, approved by ${decision.by.name}`,
        request.reason,
        now.toISOString(),
        entry.id,
      );
      return findReassignment(db, id)!;
    })
    .immediate();
}

export function findReassignment(db: Db, id: number): ReassignmentRequest | null {
  const row = db.prepare('SELECT * FROM reassignment_requests WHERE id = ?').get(id) as
    | Record<string, unknown>
    | undefined;
  return row ? toRequest(row) : null;
}

export function pendingReassignments(db: Db): ReassignmentRequest[] {
  return (
    db.prepare("SELECT * FROM reassignment_requests WHERE state = 'pending' ORDER BY id").all() as Record<
      string,
      unknown
    >[]
  ).map(toRequest);
}

function toRequest(row: Record<string, unknown>): ReassignmentRequest {
  return {
    id: row.id as number,
    recordingId: row.recording_id as number,
    fromBadge: row.from_badge as string | null,
    toBadge: row.to_badge as string,
    reason: row.reason as string,
    requestedBy: row.requested_by as string,
    requestedAt: row.requested_at as string,
    state: row.state as ReassignmentRequest['state'],
    decidedBy: row.decided_by as string | null,
    decidedAt: row.decided_at as string | null,
  };
}
