import { choices, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording, type Recording } from '../ledger/recordings.ts';
import { writeSealedFields } from './ledger-mutator.ts';

/**
 * Fields a person may correct after ingest, with their ledger columns. What the file is and where it
 * came from (hash, size, paths, kind, ingest time) can never be corrected: a wrong value there is
 * a new recording or an incident, not a correction.
 */
const correctableFields = ['start', 'end', 'startMs', 'endMs', 'officerId', 'badge', 'officerName'] as const;

export type CorrectableField = (typeof correctableFields)[number];

/** The clerk's decisions on a recording (art. 23) that a correction may withdraw. */
export const decisions = ['confirmation', 'not-playing'] as const;
export type Decision = (typeof decisions)[number];

export class CorrectionError extends TranslatedError {}

export interface CorrectionInput {
  recordingId: number;
  field: string;
  value: string | number | null;
  by: string;
  reason: string;
}

export interface Correction {
  id: number;
  recordingId: number;
  field: CorrectableField | Decision;
  oldValue: unknown;
  newValue: unknown;
  correctedBy: string;
  reason: string;
  at: string;
  auditId: number;
}

/**
 * Records a correction as a new entry that names the recording, the field, the old and the new value,
 * who and why; the audit entry in the same transaction puts it under the hash chain, and the ledger
 * row shows the corrected value while its seal keeps what was recorded at ingest.
 */
export function correctRecording(db: Db, input: CorrectionInput, at: Date = new Date()): Correction {
  if (!isCorrectable(input.field)) {
    throw new CorrectionError({
      key: 'correction.error.field',
      values: { field: input.field, fields: choices('correction.field.', correctableFields) },
    });
  }
  if (input.reason.trim() === '') throw new CorrectionError({ key: 'correction.error.reason' });
  const field = input.field;
  return db
    .transaction(() => {
      const recording = findRecording(db, input.recordingId);
      if (!recording)
        throw new CorrectionError({ key: 'error.noRecording', values: { id: input.recordingId } });
      const oldValue = recording[field];
      const entry = writeSealedFields(
        db,
        recording.id,
        { [field]: input.value },
        {
          actor: input.by,
          action: 'correction',
          detail: { field, old: oldValue, new: input.value, reason: input.reason },
        },
        at,
      );
      const result = db
        .prepare(
          `INSERT INTO corrections (recording_id, field, old_value, new_value, corrected_by, reason, at, audit_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          recording.id,
          field,
          JSON.stringify(oldValue ?? null),
          JSON.stringify(input.value),
          input.by,
          input.reason,
          at.toISOString(),
          entry.id,
        );
      return {
        id: Number(result.lastInsertRowid),
        recordingId: recording.id,
        field,
        oldValue,
        newValue: input.value,
        correctedBy: input.by,
        reason: input.reason,
        at: at.toISOString(),
        auditId: entry.id,
      };
    })
    .immediate();
}

export interface WithdrawalInput {
  recordingId: number;
  /** The decision the person saw and withdraws; another one on the row now is not touched. */
  decision: Decision;
  by: string;
  reason: string;
}

/** The decision a recording carries now, or null while it waits for one. */
export function currentDecision(recording: Recording): Decision | null {
  if (recording.confirmedAt) return 'confirmation';
  if (recording.notPlayingAt) return 'not-playing';
  return null;
}

/**
 * Withdraws the clerk's decision — a confirmation or 人工确认无法回放 — as a correction: the decision
 * as it was, who withdrew it and why are a row in `corrections` and an audit entry under the chain,
 * and the recording waits for a decision again. Nothing is erased: the decision's own entry stays.
 */
export function withdrawDecision(db: Db, input: WithdrawalInput, at: Date = new Date()): Correction {
  const reason = input.reason.trim();
  if (reason === '') throw new CorrectionError({ key: 'correction.error.withdrawReason' });
  return db
    .transaction(() => {
      const recording = findRecording(db, input.recordingId);
      if (!recording)
        throw new CorrectionError({ key: 'error.noRecording', values: { id: input.recordingId } });
      if (currentDecision(recording) !== input.decision)
        throw new CorrectionError({
          key:
            input.decision === 'confirmation'
              ? 'correction.error.noConfirmation'
              : 'correction.error.noNotPlaying',
          values: { id: recording.id },
        });
      const confirmation = input.decision === 'confirmation';
      const oldValue = confirmation
        ? { at: recording.confirmedAt, by: recording.confirmedBy }
        : { at: recording.notPlayingAt, by: recording.notPlayingBy, note: recording.notPlayingNote };
      const entry = writeSealedFields(
        db,
        recording.id,
        confirmation ? { confirmedAt: null, confirmedBy: null } : {},
        {
          actor: input.by,
          action: 'correction',
          detail: { field: input.decision, old: oldValue, new: null, reason },
          alsoColumns: confirmation
            ? undefined
            : { not_playing_at: null, not_playing_by: null, not_playing_note: null },
        },
        at,
      );
      const result = db
        .prepare(
          `INSERT INTO corrections (recording_id, field, old_value, new_value, corrected_by, reason, at, audit_id)
         VALUES (?, ?, ?, 'null', ?, ?, ?, ?)`,
        )
        .run(
          recording.id,
          input.decision,
          JSON.stringify(oldValue),
          input.by,
          reason,
          at.toISOString(),
          entry.id,
        );
      return {
        id: Number(result.lastInsertRowid),
        recordingId: recording.id,
        field: input.decision,
        oldValue,
        newValue: null,
        correctedBy: input.by,
        reason,
        at: at.toISOString(),
        auditId: entry.id,
      };
    })
    .immediate();
}

export function correctionsOf(db: Db, recordingId: number): Correction[] {
  const rows = db
    .prepare('SELECT * FROM corrections WHERE recording_id = ? ORDER BY id')
    .all(recordingId) as Record<string, unknown>[];
  return rows.map((row) => ({
    id: row.id as number,
    recordingId: row.recording_id as number,
    field: row.field as CorrectableField | Decision,
    oldValue: JSON.parse(row.old_value as string),
    newValue: JSON.parse(row.new_value as string),
    correctedBy: row.corrected_by as string,
    reason: row.reason as string,
    at: row.at as string,
    auditId: row.audit_id as number,
  }));
}

function isCorrectable(field: string): field is CorrectableField {
  return (correctableFields as readonly string[]).includes(field);
}
