import { chmod, rm } from 'node:fs/promises';
import type { Archive } from '../archive/archive.ts';
import type { Role } from '../auth/roles.ts';
import { findUserByName } from '../auth/users.ts';
import { appendAudit } from '../custody/audit-log.ts';
import { label } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording } from '../ledger/recordings.ts';
import { ComplianceError, RetentionRefused } from './compliance-error.ts';
import { assertRetentionEnded, type RetentionSettings } from './retention.ts';

// Art. 24, 29: nothing is deleted automatically and nothing before its time. Ops propose, a leader
// approves, the approval can still be withdrawn during a grace period, and only then does the file go.
// The ledger row and its audit history stay; the row just no longer points at a file.

export type DeletionState = 'proposed' | 'approved' | 'rejected' | 'cancelled' | 'deleted';

export interface DeletionProposal {
  id: number;
  recordingId: number;
  state: DeletionState;
  reason: string | null;
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  graceUntil: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
  deletedAt: string | null;
  archivePath: string | null;
}

export interface DeletionContext {
  db: Db;
  archive: Archive;
  retention: RetentionSettings;
  graceDays: number;
}

const selectProposal = `SELECT id, recording_id AS recordingId, state, reason, proposed_by AS proposedBy,
  proposed_at AS proposedAt, decided_by AS decidedBy, decided_at AS decidedAt, grace_until AS graceUntil,
  cancelled_by AS cancelledBy, cancelled_at AS cancelledAt, deleted_at AS deletedAt, archive_path AS archivePath
  FROM deletion_proposals`;

/** The proposal still in progress (proposed or approved) for a recording, if any. */
export function openProposal(db: Db, recordingId: number): DeletionProposal | null {
  return (
    (db
      .prepare(`${selectProposal} WHERE recording_id = ? AND state IN ('proposed', 'approved')`)
      .get(recordingId) as DeletionProposal | undefined) ?? null
  );
}

export function listProposals(db: Db, states?: DeletionState[]): DeletionProposal[] {
  const all = db.prepare(`${selectProposal} ORDER BY id`).all() as DeletionProposal[];
  return states ? all.filter((proposal) => states.includes(proposal.state)) : all;
}

function requireRole(
  db: Db,
  userName: string,
  allowed: Role[],
  step: 'Propose' | 'Approve' | 'Reject' | 'Withdraw',
): void {
  const user = findUserByName(db, userName);
  if (!user || user.disabled)
    throw new ComplianceError({ key: 'compliance.error.noActiveUser', values: { name: userName } });
  if (!allowed.includes(user.role)) {
    throw new RetentionRefused({
      key: `retention.refused.roleTo${step}`,
      values: {
        roles: allowed.map((role) => label('dash.role.', role)),
        name: userName,
        role: label('dash.role.', user.role),
      },
    });
  }
}

function requireOpen(db: Db, recordingId: number, state: DeletionState): DeletionProposal {
  const proposal = openProposal(db, recordingId);
  if (!proposal || proposal.state !== state) {
    throw new ComplianceError({
      key: state === 'proposed' ? 'compliance.error.noProposalWaiting' : 'compliance.error.noApprovalWaiting',
      values: { id: recordingId },
    });
  }
  return proposal;
}

function audit(db: Db, actor: string, recordingId: number, detail: Record<string, unknown>, now: Date): void {
  appendAudit(
    db,
    { actor, action: 'retention-decision', subjectType: 'recording', subjectId: recordingId, detail },
    now,
  );
}

export function proposeDeletion(
  context: DeletionContext,
  request: { recordingId: number; by: string; reason?: string | null },
  now: Date,
): DeletionProposal {
  const { db } = context;
  requireRole(db, request.by, ['ops', 'admin'], 'Propose');
  const recording = findRecording(db, request.recordingId);
  if (!recording)
    throw new ComplianceError({ key: 'error.noRecording', values: { id: request.recordingId } });
  assertRetentionEnded(db, context.retention, request.recordingId, now);
  if (openProposal(db, request.recordingId)) {
    throw new ComplianceError({
      key: 'compliance.error.proposalExists',
      values: { id: request.recordingId },
    });
  }
  db.transaction(() => {
    db.prepare(
      `INSERT INTO deletion_proposals (recording_id, state, reason, proposed_by, proposed_at, archive_path)
       VALUES (?, 'proposed', ?, ?, ?, ?)`,
    ).run(request.recordingId, request.reason ?? null, request.by, now.toISOString(), recording.archivePath);
    audit(db, request.by, request.recordingId, { step: 'proposed', reason: request.reason ?? null }, now);
  }).immediate();
  return openProposal(db, request.recordingId)!;
}

/** A leader's approval starts the grace period; the retention rules are checked again first. */
export function approveDeletion(
  context: DeletionContext,
  request: { recordingId: number; by: string },
  now: Date,
): DeletionProposal {
  const { db } = context;
  requireRole(db, request.by, ['leader'], 'Approve');
  const proposal = requireOpen(db, request.recordingId, 'proposed');
  if (proposal.proposedBy === request.by)
    throw new RetentionRefused({ key: 'retention.refused.ownProposal' });
  assertRetentionEnded(db, context.retention, request.recordingId, now);
  const graceUntil = new Date(now.getTime() + context.graceDays * 86_400_000).toISOString();
  db.transaction(() => {
    db.prepare(
      "UPDATE deletion_proposals SET state = 'approved', decided_by = ?, decided_at = ?, grace_until = ? WHERE id = ?",
    ).run(request.by, now.toISOString(), graceUntil, proposal.id);
    audit(db, request.by, request.recordingId, { step: 'approved', graceUntil }, now);
  }).immediate();
  return openProposal(db, request.recordingId)!;
}

export function rejectDeletion(
  context: DeletionContext,
  request: { recordingId: number; by: string; reason?: string | null },
  now: Date,
): void {
  const { db } = context;
  requireRole(db, request.by, ['leader'], 'Reject');
  const proposal = requireOpen(db, request.recordingId, 'proposed');
  db.transaction(() => {
    db.prepare(
      "UPDATE deletion_proposals SET state = 'rejected', decided_by = ?, decided_at = ? WHERE id = ?",
    ).run(request.by, now.toISOString(), proposal.id);
    audit(db, request.by, request.recordingId, { step: 'rejected', reason: request.reason ?? null }, now);
  }).immediate();
}

/** Withdraws a proposal or an approval still in its grace period: the recording stays. */
export function cancelDeletion(
  context: DeletionContext,
  request: { recordingId: number; by: string; reason?: string | null },
  now: Date,
): void {
  const { db } = context;
  requireRole(db, request.by, ['ops', 'leader', 'admin'], 'Withdraw');
  const proposal = openProposal(db, request.recordingId);
  if (!proposal)
    throw new ComplianceError({ key: 'compliance.error.noDeletion', values: { id: request.recordingId } });
  withdraw(db, proposal, request.by, request.reason ?? null, now);
}

function withdraw(db: Db, proposal: DeletionProposal, by: string, reason: string | null, now: Date): void {
  db.transaction(() => {
    db.prepare(
      "UPDATE deletion_proposals SET state = 'cancelled', cancelled_by = ?, cancelled_at = ? WHERE id = ?",
    ).run(by, now.toISOString(), proposal.id);
    audit(db, by, proposal.recordingId, { step: 'cancelled', reason }, now);
  }).immediate();
}

export interface PurgeReport {
  deleted: number[];
  /** Approvals withdrawn because a retention rule now keeps the recording (a hold, a case, a later service). */
  withdrawn: { recordingId: number; reason: string }[];
}

export const stationActor = 'station';

/**
 * Removes the files of approvals whose grace period is over. The ledger change commits before the
 * file goes: a crash in between leaves a file the ledger no longer claims, which the next purge
 * removes, rather than a ledger row pointing at nothing.
 */
export async function purgeDeletions(context: DeletionContext, now: Date): Promise<PurgeReport> {
  const { db } = context;
  const report: PurgeReport = { deleted: [], withdrawn: [] };
  const ready = listProposals(db, ['approved']).filter(
    (proposal) => proposal.graceUntil! <= now.toISOString(),
  );
  for (const proposal of ready) {
    try {
      assertRetentionEnded(db, context.retention, proposal.recordingId, now);
    } catch (error) {
      if (!(error instanceof RetentionRefused)) throw error;
      withdraw(db, proposal, stationActor, error.message, now);
      report.withdrawn.push({ recordingId: proposal.recordingId, reason: error.message });
      continue;
    }
    markDeleted(db, proposal, now);
    report.deleted.push(proposal.recordingId);
  }
  await removeDeletedFiles(context, now);
  return report;
}

function markDeleted(db: Db, proposal: DeletionProposal, now: Date): void {
  db.transaction(() => {
    const recording = findRecording(db, proposal.recordingId)!;
    db.prepare(
      "UPDATE deletion_proposals SET state = 'deleted', deleted_at = ?, archive_path = ? WHERE id = ?",
    ).run(now.toISOString(), recording.archivePath, proposal.id);
    db.prepare('UPDATE recordings SET archive_path = NULL WHERE id = ?').run(proposal.recordingId);
    appendAudit(
      db,
      {
        actor: stationActor,
        action: 'deletion',
        subjectType: 'recording',
        subjectId: proposal.recordingId,
        detail: {
          archivePath: recording.archivePath,
          sha256: recording.sha256,
          proposedBy: proposal.proposedBy,
          approvedBy: proposal.decidedBy,
        },
      },
      now,
    );
  }).immediate();
}

// Archived originals are read-only (0444): make the file writable first, then remove it. A path that a
// newer recording has taken since is left alone: it is that recording's file now.
async function removeDeletedFiles(context: DeletionContext, now: Date): Promise<void> {
  const { db } = context;
  const pending = db
    .prepare(
      `SELECT id, archive_path AS archivePath FROM deletion_proposals
       WHERE state = 'deleted' AND file_removed_at IS NULL AND archive_path IS NOT NULL`,
    )
    .all() as { id: number; archivePath: string }[];
  for (const { id, archivePath } of pending) {
    const claimed =
      db.prepare('SELECT 1 FROM recordings WHERE archive_path = ?').get(archivePath) !== undefined;
    if (!claimed) {
      const file = context.archive.absolutePath(archivePath);
      await chmod(file, 0o644).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rm(file, { force: true });
    }
    db.prepare('UPDATE deletion_proposals SET file_removed_at = ? WHERE id = ?').run(now.toISOString(), id);
  }
}
