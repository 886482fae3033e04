import { findUserByName } from '../auth/users.ts';
import { englishText, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { appendAudit, latestEntryTime } from './audit-log.ts';
import { type Refusal, refusesDecision, refusesRequest } from './release-rules.ts';

/** Art. 27 and 28: why footage may be viewed or copied, with the regulation's own words. */
export const accessPurposes = {
  'administrative-review': '行政复议',
  'administrative-litigation': '行政诉讼',
  'administrative-compensation': '行政赔偿',
  'administrative-mediation': '行政调解',
  petition: '信访',
  publicity: '社会宣传',
  training: '教育培训',
  'supervisory-organ': '监察机关',
  'judicial-organ': '司法机关',
  'audit-organ': '审计机关',
  'party-concerned': '当事人',
} as const;

export type AccessPurpose = keyof typeof accessPurposes;
export type AccessMode = 'view' | 'copy';
export type AccessRequestState = 'pending' | 'approved' | 'refused';

export const defaultGrantDays = 7;

export interface AccessRequest {
  id: number;
  user: string;
  purpose: AccessPurpose;
  purposeLabel: string;
  mode: AccessMode;
  caseNumber: string | null;
  /** 事由: why, in the requester's words (for the leader who decides, and on the statement). */
  reason: string | null;
  /** Who the footage is for: a court, an organ, the party concerned by name. */
  requestingParty: string | null;
  recordingIds: number[];
  days: number;
  state: AccessRequestState;
  decidedBy: string | null;
  decidedAt: string | null;
  validFrom: string | null;
  validUntil: string | null;
  createdAt: string;
  /** Art. 28: the party concerned sees their own records, never third parties or informants. */
  thirdPartyReview: boolean;
}

/** Bad input: unknown user, purpose or recording (exit 2 on the command line). */
export class AccessRequestError extends TranslatedError {}
/** A decision or an export refused by the rules (exit 1); it is in the audit log. */
export class AccessRefused extends TranslatedError {}

export function parsePurpose(text: string): AccessPurpose | null {
  const trimmed = text.trim();
  if (Object.hasOwn(accessPurposes, trimmed)) return trimmed as AccessPurpose;
  const byLabel = Object.entries(accessPurposes).find(([, label]) => label === trimmed);
  return byLabel ? (byLabel[0] as AccessPurpose) : null;
}

export interface NewAccessRequest {
  user: string;
  purpose: string;
  mode: string;
  recordingIds?: number[];
  caseNumber?: string;
  days?: number;
  reason?: string;
  requestingParty?: string;
}

export function createAccessRequest(db: Db, input: NewAccessRequest, now: Date): AccessRequest {
  const user = findUserByName(db, input.user);
  if (!user || user.disabled)
    throw new AccessRequestError({ key: 'access.error.noActiveUser', values: { name: input.user } });
  const refusal = refusesRequest(user);
  if (refusal) {
    appendAudit(
      db,
      {
        actor: user.name,
        action: 'access-refused',
        subjectType: 'access-request',
        subjectId: null,
        detail: { attempted: 'request', reason: englishText(refusal) },
      },
      now,
    );
    throw new AccessRefused(refusal);
  }
  const purpose = parsePurpose(input.purpose);
  if (!purpose) {
    // The regulation's words are accepted as typed, so Chinese readers are offered those alone.
    const choices = Object.entries(accessPurposes).map(([code, label]) => ({
      key: 'access.purpose.choice' as const,
      values: { code, label },
    }));
    throw new AccessRequestError({
      key: 'access.error.purpose',
      values: { purpose: input.purpose, choices },
    });
  }
  if (input.mode !== 'view' && input.mode !== 'copy')
    throw new AccessRequestError({ key: 'access.error.mode' });
  const days = input.days ?? defaultGrantDays;
  if (!Number.isInteger(days) || days < 1) throw new AccessRequestError({ key: 'access.error.days' });
  const recordingIds = resolveScope(db, input);
  const reason = input.reason?.trim() || null;
  const requestingParty = input.requestingParty?.trim() || null;
  return db
    .transaction(() => {
      const result = db
        .prepare(
          `INSERT INTO access_requests (user_id, purpose, mode, case_number, days, reason, requesting_party, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          user.id,
          purpose,
          input.mode,
          input.caseNumber ?? null,
          days,
          reason,
          requestingParty,
          now.toISOString(),
        );
      const id = Number(result.lastInsertRowid);
      const link = db.prepare(
        'INSERT INTO access_request_recordings (request_id, recording_id) VALUES (?, ?)',
      );
      for (const recordingId of recordingIds) link.run(id, recordingId);
      appendAudit(
        db,
        {
          actor: user.name,
          action: 'access-request',
          subjectType: 'access-request',
          subjectId: id,
          detail: {
            purpose,
            mode: input.mode,
            recordingIds,
            caseNumber: input.caseNumber ?? null,
            days,
            reason,
            requestingParty,
          },
        },
        now,
      );
      return findAccessRequest(db, id)!;
    })
    .immediate();
}

/** The recordings a request names, directly or through a case; every one must exist. */
function resolveScope(db: Db, input: NewAccessRequest): number[] {
  if (input.caseNumber !== undefined) {
    if (input.recordingIds?.length) throw new AccessRequestError({ key: 'access.error.recordingsOrCase' });
    return recordingsOfCase(db, input.caseNumber);
  }
  const ids = [...new Set(input.recordingIds ?? [])];
  if (ids.length === 0) throw new AccessRequestError({ key: 'access.error.noScope' });
  const exists = db.prepare('SELECT 1 FROM recordings WHERE id = ?');
  const unknown = ids.filter((id) => !exists.get(id));
  if (unknown.length)
    throw new AccessRequestError({
      key: 'access.error.noRecording',
      values: { ids: unknown.map((id) => `#${id}`).join(', ') },
    });
  return ids.sort((a, b) => a - b);
}

// The grant covers the recordings linked to the case when the request is made: that is what the
// leader is shown and approves.
function recordingsOfCase(db: Db, caseNumber: string): number[] {
  const hasCases = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recording_cases'")
    .get();
  if (!hasCases) throw new AccessRequestError({ key: 'access.error.noCases' });
  const found = db.prepare('SELECT id FROM cases WHERE number = ?').get(caseNumber) as
    | { id: number }
    | undefined;
  if (!found) throw new AccessRequestError({ key: 'access.error.noCase', values: { case: caseNumber } });
  const ids = db
    .prepare('SELECT recording_id FROM recording_cases WHERE case_id = ? ORDER BY recording_id')
    .pluck()
    .all(found.id) as number[];
  if (ids.length === 0)
    throw new AccessRequestError({ key: 'access.error.emptyCase', values: { case: caseNumber } });
  return ids;
}

/**
 * A leader other than the requester approves or refuses a pending request. Anyone else is refused,
 * and the refusal is in the audit log before the error reaches the caller.
 */
export function decideAccessRequest(
  db: Db,
  id: number,
  decision: { by: string; approve: boolean },
  now: Date,
): AccessRequest {
  // Checked and written in one IMMEDIATE transaction: a CLI and the dashboard (two processes) deciding
  // at once cannot both find the request pending, so a refusal is never overwritten by an approval.
  const outcome = db
    .transaction((): { refusal: Refusal } | { decided: AccessRequest } => {
      const request = findAccessRequest(db, id);
      if (!request) throw new AccessRequestError({ key: 'access.error.noRequest', values: { id } });
      const decider = findUserByName(db, decision.by);
      const refusal = refusesDecision(decider, decision.by, request);
      if (refusal) {
        appendAudit(
          db,
          {
            actor: decision.by,
            action: 'access-refused',
            subjectType: 'access-request',
            subjectId: id,
            detail: { attempted: decision.approve ? 'approve' : 'refuse', reason: englishText(refusal) },
          },
          now,
        );
        return { refusal };
      }
      // A grant runs from the time on the record, so one approved while the clock is behind is not born ended.
      const from = grantTime(db, now);
      const validUntil = new Date(from.getTime() + request.days * 86_400_000);
      db.prepare(
        `UPDATE access_requests SET state = ?, decided_by = ?, decided_at = ?, valid_from = ?, valid_until = ?
         WHERE id = ? AND state = 'pending'`,
      ).run(
        decision.approve ? 'approved' : 'refused',
        decider!.id,
        now.toISOString(),
        decision.approve ? from.toISOString() : null,
        decision.approve ? validUntil.toISOString() : null,
        id,
      );
      appendAudit(
        db,
        {
          actor: decider!.name,
          // A leader's refusal is a refused access like any other, so one action lists them all.
          action: decision.approve ? 'access-decision' : 'access-refused',
          subjectType: 'access-request',
          subjectId: id,
          detail: {
            decision: decision.approve ? 'approved' : 'refused',
            validUntil: decision.approve ? validUntil.toISOString() : null,
          },
        },
        now,
      );
      return { decided: findAccessRequest(db, id)! };
    })
    .immediate();
  if ('refusal' in outcome) throw new AccessRefused(outcome.refusal);
  return outcome.decided;
}

/**
 * The instant grants are judged at: the clock's, but never before the newest act on the record, so a
 * clock set back (by hand, or by a forged time server) does not reopen a grant that has ended. The
 * end of each grant is itself on the record (export-cleanup.ts), which keeps the record past it.
 */
export function grantTime(db: Db, now: Date): Date {
  const latest = latestEntryTime(db);
  return latest !== null && latest > now.toISOString() ? new Date(latest) : now;
}

/** An approved request whose period has begun and not yet ended (judge at `grantTime`). */
export function isActive(request: AccessRequest, now: Date): boolean {
  if (request.state !== 'approved' || !request.validFrom || !request.validUntil) return false;
  const instant = now.toISOString();
  return request.validFrom <= instant && instant < request.validUntil;
}

const selectRequest = `
  SELECT r.*, u.name AS user_name, d.name AS decided_by_name,
    (SELECT json_group_array(recording_id) FROM
       (SELECT recording_id FROM access_request_recordings WHERE request_id = r.id ORDER BY recording_id)
    ) AS recording_ids
  FROM access_requests r
  JOIN users u ON u.id = r.user_id
  LEFT JOIN users d ON d.id = r.decided_by`;

export function findAccessRequest(db: Db, id: number): AccessRequest | null {
  const row = db.prepare(`${selectRequest} WHERE r.id = ?`).get(id) as Record<string, unknown> | undefined;
  return row ? toAccessRequest(row) : null;
}

export function listAccessRequests(db: Db): AccessRequest[] {
  return (db.prepare(`${selectRequest} ORDER BY r.id`).all() as Record<string, unknown>[]).map(
    toAccessRequest,
  );
}

/** Requests of this user that cover this recording, newest first. */
export function requestsCovering(db: Db, userId: number, recordingId: number): AccessRequest[] {
  const rows = db
    .prepare(
      `${selectRequest} WHERE r.user_id = ? AND r.id IN
         (SELECT request_id FROM access_request_recordings WHERE recording_id = ?)
       ORDER BY r.id DESC`,
    )
    .all(userId, recordingId) as Record<string, unknown>[];
  return rows.map(toAccessRequest);
}

function toAccessRequest(row: Record<string, unknown>): AccessRequest {
  const purpose = row.purpose as AccessPurpose;
  return {
    id: row.id as number,
    user: row.user_name as string,
    purpose,
    purposeLabel: accessPurposes[purpose] ?? purpose,
    mode: row.mode as AccessMode,
    caseNumber: row.case_number as string | null,
    reason: (row.reason as string | null) ?? null,
    requestingParty: (row.requesting_party as string | null) ?? null,
    recordingIds: JSON.parse(row.recording_ids as string),
    days: row.days as number,
    state: row.state as AccessRequestState,
    decidedBy: (row.decided_by_name as string | null) ?? null,
    decidedAt: row.decided_at as string | null,
    validFrom: row.valid_from as string | null,
    validUntil: row.valid_until as string | null,
    createdAt: row.created_at as string,
    thirdPartyReview: purpose === 'party-concerned',
  };
}
