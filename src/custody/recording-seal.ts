import { createHash } from 'node:crypto';
import { codeWords, englishText, type Message } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { type Recording, toRecording } from '../ledger/recordings.ts';
import { isMutableField } from './ledger-mutator.ts';

/**
 * The ledger fields that matter (art. 29: records are not edited). Their values at ingest and a hash
 * go into the ingest audit entry, in the same transaction as the row, so the hash chain vouches for
 * them and an UPDATE run on the database file directly shows up in `station verify`. Later changes
 * go through `writeSealedFields` (ledger-mutator.ts), whose entries verify replays; only the fields
 * listed there may change at all. New fields are appended, so older seals keep their hash.
 */
export const sealedFields = [
  'id',
  'dockId',
  'deviceId',
  'sourcePath',
  'sourceSize',
  'sourceMtime',
  'sizeBytes',
  'sha256',
  'duplicateOf',
  'archivePath',
  'kind',
  'start',
  'end',
  'startMs',
  'endMs',
  'ingestedAt',
  'copiedAt',
  'officerId',
  'badge',
  'officerName',
  'date',
  'durationSeconds',
  'late',
  'startSource',
  'clockOffsetSeconds',
  'timeFlags',
  'verifiedAt',
  'playback',
  'probedAt',
  'confirmedAt',
  'confirmedBy',
] as const satisfies readonly (keyof Recording)[];

export type SealedField = (typeof sealedFields)[number];
export type SealedValues = Record<SealedField, unknown>;

export interface RecordingSeal {
  hash: string;
  fields: SealedValues;
}

export function sealRecording(recording: Recording): RecordingSeal {
  const fields = Object.fromEntries(sealedFields.map((field) => [field, recording[field]])) as SealedValues;
  return { hash: sealHash(fields), fields };
}

// A seal made before a field was added does not hold it; it is hashed, and checked, without it.
export function sealHash(fields: SealedValues): string {
  return createHash('sha256')
    .update(JSON.stringify(fieldsOf(fields).map((field) => fields[field] ?? null)))
    .digest('hex');
}

const fieldsOf = (fields: SealedValues) => sealedFields.filter((field) => field in fields);

export type SealProblemKind = 'edited-row' | 'deleted-row' | 'unsealed-row' | 'forbidden-change';

export interface SealProblem {
  recordingId: number;
  problem: SealProblemKind;
  fields: string[];
  /** In English, for scripts and the log; `message` says it in the reader's language. */
  detail: string;
  message: Message;
}

const said = (message: Message) => ({ message, detail: englishText(message) });
// Where a sealed field's name is worded: as a correction names it, else as the audit history does.
const fieldWords = ['correction.field.', 'dash.audit.key.'];

export interface SealReport {
  checked: number;
  problems: SealProblem[];
}

interface Expected {
  seal: RecordingSeal;
  values: SealedValues;
  /** Fields a recorded action may have changed without saying to what (an open reassignment). */
  open: Set<SealedField>;
  /** Entries that claim to change a field nothing may change: reported, never applied. */
  forbidden: { entryId: number; field: string; value: unknown }[];
}

/**
 * Compares every ledger row with its seal, after applying the changes the audit log records
 * (corrections, officer assignments, retention deletions). Each other difference is named.
 */
export function verifyRecordingSeals(db: Db): SealReport {
  const expected = expectedRows(db);
  const problems: SealProblem[] = [];
  const rows = db.prepare('SELECT * FROM recordings ORDER BY id').all() as Record<string, unknown>[];
  for (const row of rows) {
    const recording = toRecording(row);
    const entry = expected.get(recording.id);
    expected.delete(recording.id);
    if (!entry) {
      problems.push({
        recordingId: recording.id,
        problem: 'unsealed-row',
        fields: [],
        ...said({ key: 'verify.seal.unsealed' }),
      });
      continue;
    }
    for (const claim of entry.forbidden) {
      problems.push({
        recordingId: recording.id,
        problem: 'forbidden-change',
        fields: [claim.field],
        ...said({
          key: 'verify.seal.forbidden',
          values: {
            entry: claim.entryId,
            field: codeWords(fieldWords, claim.field),
            value: show(claim.value),
          },
        }),
      });
    }
    const changed = fieldsOf(entry.values).filter(
      (field) => !entry.open.has(field) && !sameValue(recording[field], entry.values[field]),
    );
    if (changed.length > 0 || sealHash(entry.seal.fields) !== entry.seal.hash) {
      problems.push({
        recordingId: recording.id,
        problem: 'edited-row',
        fields: changed,
        ...said(
          changed.length
            ? {
                key: 'verify.seal.changes',
                values: {
                  changes: changed.map((field) => ({
                    key: 'verify.seal.changed' as const,
                    values: {
                      field: codeWords(fieldWords, field),
                      sealed: show(entry.values[field]),
                      now: show(recording[field]),
                    },
                  })),
                },
              }
            : { key: 'verify.seal.selfHash' },
        ),
      });
    }
  }
  for (const [recordingId] of expected) {
    problems.push({
      recordingId,
      problem: 'deleted-row',
      fields: [],
      ...said({ key: 'verify.seal.deleted' }),
    });
  }
  problems.sort((a, b) => a.recordingId - b.recordingId);
  return { checked: rows.length, problems };
}

function expectedRows(db: Db): Map<number, Expected> {
  const entries = db
    .prepare(
      `SELECT id, subject_id, action, detail FROM audit_log
       WHERE subject_type = 'recording' AND action IN ('ingest', 'duplicate', 'correction', 'assign-officer',
         'deletion', 'confirm', 'mark-unplayable', 'playback-check')
       ORDER BY id`,
    )
    .all() as { id: number; subject_id: string; action: string; detail: string }[];
  const expected = new Map<number, Expected>();
  for (const entry of entries) {
    const recordingId = Number(entry.subject_id);
    const detail = parseObject(entry.detail);
    const seal = detail.seal as RecordingSeal | undefined;
    if ((entry.action === 'ingest' || entry.action === 'duplicate') && seal?.fields) {
      expected.set(recordingId, { seal, values: { ...seal.fields }, open: new Set(), forbidden: [] });
      continue;
    }
    const current = expected.get(recordingId);
    if (current) applyRecordedChange(current, entry.id, entry.action, detail);
  }
  return expected;
}

function applyRecordedChange(
  expected: Expected,
  entryId: number,
  action: string,
  detail: Record<string, unknown>,
): void {
  const sealed = detail.sealed;
  if (typeof sealed === 'object' && sealed !== null) {
    for (const [field, value] of Object.entries(sealed)) {
      if (isMutableField(field)) {
        expected.values[field] = value;
        expected.open.delete(field);
      } else expected.forbidden.push({ entryId, field, value });
    }
  } else if (action === 'correction' && isSealedField(detail.field)) {
    // An older correction entry: only a field that may change is applied, whatever the chain says.
    if (isMutableField(detail.field)) {
      expected.values[detail.field] = detail.new;
      expected.open.delete(detail.field);
    } else expected.forbidden.push({ entryId, field: detail.field, value: detail.new });
  } else if (action === 'assign-officer') {
    for (const field of ['officerId', 'badge'] as const) {
      if (field in detail) {
        expected.values[field] = detail[field];
        expected.open.delete(field);
      } else expected.open.add(field);
    }
  } else if (action === 'deletion') {
    // Retention may clear or keep the path of a file it removed; either is recorded by this entry.
    expected.open.add('archivePath');
  }
}

function isSealedField(value: unknown): value is SealedField {
  return typeof value === 'string' && (sealedFields as readonly string[]).includes(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function show(value: unknown): string {
  return value === null || value === undefined ? 'empty' : JSON.stringify(value);
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}
