import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import { type PublicRecording, publicRecording } from '../ledger/public-recording.ts';
import { findRecording, type Recording, toRecording } from '../ledger/recordings.ts';
import { ComplianceError } from './compliance-error.ts';

// Art. 4: the kinds of enforcement and the stages each passes through, plus the special stages.
export const enforcementTypes = [
  '行政检查',
  '行政处罚',
  '行政强制',
  '行政许可',
  '行政确认',
  '行政征收',
  '行政征用',
  '行政给付',
  '行政裁决',
  '其他',
] as const;
export const caseStages = ['受案', '立案', '调查取证', '审查决定', '送达', '执行', '终结'] as const;
export const specialStages = [
  '先行登记保存',
  '查封',
  '扣押',
  '听证',
  '中止',
  '延期',
  '申请法院强制执行',
] as const;
export const allStages: readonly string[] = [...caseStages, ...specialStages];

export type CaseStatus = 'open' | 'closed';

export interface Case {
  id: number;
  number: string;
  enforcementType: string;
  status: CaseStatus;
  servedAt: string | null;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
}

export interface CaseLink {
  recordingId: number;
  stage: string | null;
  linkedAt: string;
  linkedBy: string;
}

export interface CaseDetail extends Case {
  recordings: (PublicRecording & { stage: string | null; linkedAt: string; linkedBy: string })[];
}

interface CaseRow {
  id: number;
  number: string;
  enforcement_type: string;
  status: CaseStatus;
  served_at: string | null;
  created_at: string;
  created_by: string;
  closed_at: string | null;
}

const toCase = (row: CaseRow): Case => ({
  id: row.id,
  number: row.number,
  enforcementType: row.enforcement_type,
  status: row.status,
  servedAt: row.served_at,
  createdAt: row.created_at,
  createdBy: row.created_by,
  closedAt: row.closed_at,
});

export function findCase(db: Db, number: string): Case | null {
  const row = db.prepare('SELECT * FROM cases WHERE number = ?').get(number) as CaseRow | undefined;
  return row ? toCase(row) : null;
}

function requireCase(db: Db, number: string): Case {
  const found = findCase(db, number);
  if (!found) throw new ComplianceError({ key: 'compliance.error.noCaseAddFirst', values: { case: number } });
  return found;
}

export function listCases(db: Db): Case[] {
  return (db.prepare('SELECT * FROM cases ORDER BY created_at, id').all() as CaseRow[]).map(toCase);
}

export function addCase(db: Db, request: { number: string; type: string; by: string }, now: Date): Case {
  const number = request.number.trim();
  if (!number) throw new ComplianceError({ key: 'compliance.error.emptyCase' });
  if (!(enforcementTypes as readonly string[]).includes(request.type)) {
    throw new ComplianceError({
      key: 'compliance.error.enforcementType',
      values: { type: request.type, types: enforcementTypes.join(', ') },
    });
  }
  if (findCase(db, number))
    throw new ComplianceError({ key: 'compliance.error.caseExists', values: { case: number } });
  return db
    .transaction(() => {
      const result = db
        .prepare('INSERT INTO cases (number, enforcement_type, created_at, created_by) VALUES (?, ?, ?, ?)')
        .run(number, request.type, now.toISOString(), request.by);
      appendAudit(
        db,
        {
          actor: request.by,
          action: 'case-change',
          subjectType: 'case',
          subjectId: number,
          detail: { change: 'created', type: request.type },
        },
        now,
      );
      return toCase(db.prepare('SELECT * FROM cases WHERE id = ?').get(result.lastInsertRowid) as CaseRow);
    })
    .immediate();
}

/** Links a recording to a case at a stage; linking again changes the stage. Duplicates link their original. */
export function linkRecording(
  db: Db,
  request: { number: string; recordingId: number; stage?: string | null; by: string },
  now: Date,
): CaseLink {
  const found = requireCase(db, request.number);
  const stage = request.stage ?? null;
  if (stage !== null && !allStages.includes(stage)) {
    throw new ComplianceError({
      key: 'compliance.error.stage',
      values: { stage, stages: allStages.join(', ') },
    });
  }
  const recording = findRecording(db, request.recordingId);
  if (!recording)
    throw new ComplianceError({ key: 'error.noRecording', values: { id: request.recordingId } });
  const recordingId = recording.duplicateOf ?? recording.id;
  const at = now.toISOString();
  db.transaction(() => {
    db.prepare(
      `INSERT INTO recording_cases (recording_id, case_id, stage, linked_at, linked_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (recording_id, case_id) DO UPDATE SET stage = excluded.stage`,
    ).run(recordingId, found.id, stage, at, request.by);
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'case-link',
        subjectType: 'recording',
        subjectId: recordingId,
        detail: { case: found.number, stage },
      },
      now,
    );
  }).immediate();
  return { recordingId, stage, linkedAt: at, linkedBy: request.by };
}

/** Records when the final decision was served (art. 24): the retention months count from then. */
export function serveCase(db: Db, request: { number: string; servedAt: Date; by: string }, now: Date): Case {
  const found = requireCase(db, request.number);
  if (request.servedAt.getTime() > now.getTime()) {
    throw new ComplianceError({ key: 'compliance.error.servedInFuture' });
  }
  db.transaction(() => {
    db.prepare('UPDATE cases SET served_at = ? WHERE id = ?').run(request.servedAt.toISOString(), found.id);
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'case-change',
        subjectType: 'case',
        subjectId: found.number,
        detail: { change: 'served', servedAt: request.servedAt.toISOString(), previous: found.servedAt },
      },
      now,
    );
  }).immediate();
  return requireCase(db, found.number);
}

export function closeCase(db: Db, request: { number: string; by: string }, now: Date): Case {
  const found = requireCase(db, request.number);
  if (found.status === 'closed') return found;
  db.transaction(() => {
    db.prepare("UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ?").run(
      now.toISOString(),
      found.id,
    );
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'case-change',
        subjectType: 'case',
        subjectId: found.number,
        detail: { change: 'closed' },
      },
      now,
    );
  }).immediate();
  return requireCase(db, found.number);
}

/** A case with every recording linked to it (art. 22: archived with the case file). */
export function caseDetail(db: Db, number: string, zone: string): CaseDetail | null {
  const found = findCase(db, number);
  if (!found) return null;
  const rows = db
    .prepare(
      `SELECT r.*, d.serial AS device_serial, rc.stage AS link_stage, rc.linked_at AS link_at, rc.linked_by AS link_by
       FROM recording_cases rc JOIN recordings r ON r.id = rc.recording_id LEFT JOIN devices d ON d.id = r.device_id
       WHERE rc.case_id = ? ORDER BY r.start_ms, r.id`,
    )
    .all(found.id) as Record<string, unknown>[];
  return {
    ...found,
    recordings: rows.map((row) => ({
      ...publicRecording(toRecording(row), zone),
      stage: row.link_stage as string | null,
      linkedAt: row.link_at as string,
      linkedBy: row.link_by as string,
    })),
  };
}

/** The cases a recording (or, for a duplicate, its original) is linked to. */
export function casesOfRecording(
  db: Db,
  recording: Pick<Recording, 'id' | 'duplicateOf'>,
): (Case & { stage: string | null })[] {
  const rows = db
    .prepare(
      `SELECT c.*, rc.stage AS link_stage FROM recording_cases rc JOIN cases c ON c.id = rc.case_id
       WHERE rc.recording_id = ? ORDER BY c.number`,
    )
    .all(recording.duplicateOf ?? recording.id) as (CaseRow & { link_stage: string | null })[];
  return rows.map((row) => ({ ...toCase(row), stage: row.link_stage }));
}
