import { appendAudit } from '../custody/audit-log.ts';
import { choices } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording } from '../ledger/recordings.ts';
import { findCase } from './cases.ts';
import { ComplianceError } from './compliance-error.ts';

// Kept permanently (national practice): footage used as evidence, of obstruction of duty, of major or
// mass incidents. A hold is never lifted, so a wrong hold keeps footage, never loses it.
export const holdKinds = ['evidence', 'obstruction', 'major-incident', 'mass-incident'] as const;
export type HoldKind = (typeof holdKinds)[number];

export interface Hold {
  id: number;
  recordingId: number | null;
  caseNumber: string | null;
  kind: HoldKind;
  note: string | null;
  placedAt: string;
  placedBy: string;
}

export function isHoldKind(value: string): value is HoldKind {
  return (holdKinds as readonly string[]).includes(value);
}

export function placeHold(
  db: Db,
  request: { kind: string; recordingId?: number; caseNumber?: string; note?: string | null; by: string },
  now: Date,
): Hold {
  if (!isHoldKind(request.kind)) {
    throw new ComplianceError({
      key: 'compliance.error.holdKind',
      values: { kind: request.kind, kinds: choices('hold.kind.', holdKinds) },
    });
  }
  if ((request.recordingId === undefined) === (request.caseNumber === undefined)) {
    throw new ComplianceError({ key: 'compliance.error.holdScope' });
  }
  let recordingId: number | null = null;
  let caseId: number | null = null;
  if (request.recordingId !== undefined) {
    const recording = findRecording(db, request.recordingId);
    if (!recording)
      throw new ComplianceError({ key: 'error.noRecording', values: { id: request.recordingId! } });
    recordingId = recording.duplicateOf ?? recording.id;
  } else {
    const found = findCase(db, request.caseNumber!);
    if (!found)
      throw new ComplianceError({ key: 'access.error.noCase', values: { case: request.caseNumber! } });
    caseId = found.id;
  }
  return db
    .transaction(() => {
      const result = db
        .prepare(
          'INSERT INTO holds (recording_id, case_id, kind, note, placed_at, placed_by) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(recordingId, caseId, request.kind, request.note ?? null, now.toISOString(), request.by);
      appendAudit(
        db,
        {
          actor: request.by,
          action: 'hold',
          subjectType: recordingId !== null ? 'recording' : 'case',
          subjectId: recordingId ?? request.caseNumber,
          detail: { kind: request.kind, note: request.note ?? null },
        },
        now,
      );
      return listHolds(db).find((hold) => hold.id === Number(result.lastInsertRowid))!;
    })
    .immediate();
}

export function listHolds(db: Db): Hold[] {
  return db
    .prepare(
      `SELECT h.id, h.recording_id AS recordingId, c.number AS caseNumber, h.kind, h.note, h.placed_at AS placedAt,
         h.placed_by AS placedBy FROM holds h LEFT JOIN cases c ON c.id = h.case_id ORDER BY h.id`,
    )
    .all() as Hold[];
}
