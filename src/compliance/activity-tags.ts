import { appendAudit } from '../custody/audit-log.ts';
import { choices } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording } from '../ledger/recordings.ts';
import { ComplianceError } from './compliance-error.ts';

// Art. 20: activities that must be filmed from all angles without interruption. A gap in one of
// these is raised louder than an ordinary interruption.
export const activityKinds = [
  'non-cooperative', // （一）对拒不配合的当事人进行执法
  'seizure', // （二）查封、扣押（暂扣）、先行登记保存
  'questioning', // （三）调查询问取证
  'hearing-or-service', // （四）现场执法、听证、留置送达、公告送达
  'forced-execution', // （五）违法建设、户外广告等强制执行
  'emergency', // （六）突发、群体性事件处置
  'other-required', // （七）其他应当音像记录的执法活动
] as const;
export type ActivityKind = (typeof activityKinds)[number];

export function tagActivity(
  db: Db,
  request: { recordingId: number; kind: string; by: string },
  now: Date,
): void {
  if (!(activityKinds as readonly string[]).includes(request.kind)) {
    throw new ComplianceError({
      key: 'compliance.error.activityKind',
      values: { kind: request.kind, kinds: choices('dash.activity.', activityKinds) },
    });
  }
  const recording = findRecording(db, request.recordingId);
  if (!recording)
    throw new ComplianceError({ key: 'error.noRecording', values: { id: request.recordingId } });
  const recordingId = recording.duplicateOf ?? recording.id;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO activity_tags (recording_id, kind, tagged_at, tagged_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (recording_id, kind) DO NOTHING`,
    ).run(recordingId, request.kind, now.toISOString(), request.by);
    appendAudit(
      db,
      {
        actor: request.by,
        action: 'activity-tag',
        subjectType: 'recording',
        subjectId: recordingId,
        detail: { kind: request.kind },
      },
      now,
    );
  }).immediate();
}

export function activityTagsOf(db: Db, recordingId: number): ActivityKind[] {
  return db
    .prepare('SELECT kind FROM activity_tags WHERE recording_id = ? ORDER BY kind')
    .pluck()
    .all(recordingId) as ActivityKind[];
}
