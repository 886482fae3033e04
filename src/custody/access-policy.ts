import type { User } from '../auth/users.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording } from '../ledger/recordings.ts';
import { type AccessMode, grantTime, isActive, requestsCovering } from './access-requests.ts';
import { grantProblem } from './grant-seal.ts';
import { recordRefusedAttempt } from './refused-attempts.ts';

export interface AccessPolicyOptions {
  /** Config `access.officerViewsOwn`: an officer may view (never copy) recordings under their badge. */
  officerViewsOwn: boolean;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string;
  /** The approved request that allows it, when a grant is what allows it. */
  requestId: number | null;
}

export const defaultAccessPolicy: AccessPolicyOptions = { officerViewsOwn: true };

/**
 * Art. 27: no one views footage without approval. Without a grant only those whose duty is the
 * footage itself may view: the clerk who checks that it plays back (art. 21, 23), the leader who
 * approves access, and, where configured, the officer who recorded it. Copying always needs a grant.
 */
export function canView(
  db: Db,
  user: User,
  recordingId: number,
  now: Date,
  options: AccessPolicyOptions = defaultAccessPolicy,
): AccessDecision {
  return decide(db, user, recordingId, 'view', now, options);
}

/** Downloading, exporting or passing on a copy: only with an active copy grant. */
export function canCopy(db: Db, user: User, recordingId: number, now: Date): AccessDecision {
  return decide(db, user, recordingId, 'copy', now, defaultAccessPolicy);
}

/**
 * canView / canCopy that also leaves every refusal in the audit log, for callers about to serve
 * footage; repeated refusals of one user are counted in one entry (see refused-attempts.ts).
 */
export function authorize(
  db: Db,
  user: User,
  recordingId: number,
  mode: AccessMode,
  now: Date,
  options: AccessPolicyOptions & { source?: string } = defaultAccessPolicy,
): AccessDecision {
  const decision = decide(db, user, recordingId, mode, now, options);
  if (!decision.allowed) {
    recordRefusedAttempt(
      db,
      {
        actor: user.name,
        source: options.source ?? 'station',
        subject: `recording ${recordingId} ${mode}`,
        subjectType: 'recording',
        subjectId: recordingId,
        reason: `no-${mode}-grant`,
        detail: decision.reason,
      },
      now,
    );
  }
  return decision;
}

function decide(
  db: Db,
  user: User,
  recordingId: number,
  mode: AccessMode,
  now: Date,
  options: AccessPolicyOptions,
): AccessDecision {
  const refuse = (reason: string): AccessDecision => ({ allowed: false, reason, requestId: null });
  if (user.disabled) return refuse('user is disabled');
  if (user.role === 'admin') return refuse('administrators are not in the footage path');
  const recording = findRecording(db, recordingId);
  if (!recording) return refuse(`no recording #${recordingId}`);
  const at = grantTime(db, now);
  // A grant counts only as its audit entries made it: not one widened in the database file.
  const grant = requestsCovering(db, user.id, recordingId).find(
    (request) =>
      isActive(request, at) &&
      (mode === 'view' || request.mode === 'copy') &&
      grantProblem(db, request) === null,
  );
  if (grant) return { allowed: true, reason: `approved request #${grant.id}`, requestId: grant.id };
  if (mode === 'view') {
    if (user.role === 'clerk')
      return { allowed: true, reason: 'archive clerk (art. 21, 23)', requestId: null };
    if (user.role === 'leader')
      return { allowed: true, reason: 'approving leader (art. 27)', requestId: null };
    if (user.role === 'officer' && options.officerViewsOwn && user.badge && user.badge === recording.badge) {
      return { allowed: true, reason: 'own recording', requestId: null };
    }
  }
  return refuse(`no active ${mode} grant for recording #${recordingId}`);
}
