import type { User } from '../auth/users.ts';
import { findUserByName } from '../auth/users.ts';
import { type AccessPurpose, accessPurposes, defaultGrantDays } from '../custody/access-requests.ts';
import { appendAudit } from '../custody/audit-log.ts';
import { englishText, type Message, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';

// Art. 27 in the district view: nobody there views a station's footage without a grant. A user of
// the view asks for one recording with a purpose, a leader other than the asker decides, and the
// grant runs for a number of days. Every step is in the view's own audit chain.

export type DistrictRequestState = 'pending' | 'approved' | 'refused';

export interface DistrictAccessRequest {
  id: number;
  user: string;
  stationId: string;
  recordingId: number;
  purpose: AccessPurpose;
  reason: string | null;
  days: number;
  state: DistrictRequestState;
  decidedBy: string | null;
  decidedAt: string | null;
  validUntil: string | null;
  createdAt: string;
}

/** A refused step (a decision by the wrong person): already in the audit log. */
export class DistrictGrantRefused extends TranslatedError {}

const selectRequest = `SELECT r.id, u.name AS user, r.station_id AS stationId, r.recording_id AS recordingId,
  r.purpose, r.reason, r.days, r.state, d.name AS decidedBy, r.decided_at AS decidedAt,
  r.valid_until AS validUntil, r.created_at AS createdAt
  FROM district_access_requests r JOIN users u ON u.id = r.user_id LEFT JOIN users d ON d.id = r.decided_by`;

const subjectOf = (stationId: string, recordingId: number) => `${stationId}#${recordingId}`;

export function isDistrictPurpose(text: string): text is AccessPurpose {
  return Object.hasOwn(accessPurposes, text);
}

export function requestDistrictAccess(
  db: Db,
  input: {
    user: User;
    stationId: string;
    recordingId: number;
    purpose: AccessPurpose;
    reason: string | null;
  },
  now: Date,
): DistrictAccessRequest {
  return db
    .transaction(() => {
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO district_access_requests (user_id, station_id, recording_id, purpose, reason, days, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.user.id,
          input.stationId,
          input.recordingId,
          input.purpose,
          input.reason,
          defaultGrantDays,
          now.toISOString(),
        );
      appendAudit(
        db,
        {
          actor: input.user.name,
          action: 'access-request',
          subjectType: 'district-recording',
          subjectId: subjectOf(input.stationId, input.recordingId),
          detail: { request: Number(lastInsertRowid), purpose: input.purpose, reason: input.reason },
        },
        now,
      );
      return findDistrictRequest(db, Number(lastInsertRowid))!;
    })
    .immediate();
}

export function findDistrictRequest(db: Db, id: number): DistrictAccessRequest | null {
  return (db.prepare(`${selectRequest} WHERE r.id = ?`).get(id) as DistrictAccessRequest | undefined) ?? null;
}

export function listDistrictRequests(db: Db): DistrictAccessRequest[] {
  return db
    .prepare(`${selectRequest} ORDER BY r.state = 'pending' DESC, r.id DESC`)
    .all() as DistrictAccessRequest[];
}

/** A leader other than the asker approves or refuses; anyone else is refused, and that is on the record. */
export function decideDistrictRequest(
  db: Db,
  id: number,
  decision: { by: string; approve: boolean },
  now: Date,
): DistrictAccessRequest {
  const request = findDistrictRequest(db, id);
  if (request?.state !== 'pending')
    throw new DistrictGrantRefused({ key: 'district.refusal.noPending', values: { id } });
  const decider = findUserByName(db, decision.by);
  const refusal: Message | null =
    !decider || decider.disabled || decider.role !== 'leader'
      ? { key: 'district.refusal.notLeader' }
      : decider.name === request.user
        ? { key: 'district.refusal.ownRequest' }
        : null;
  if (refusal) {
    appendAudit(
      db,
      {
        actor: decision.by,
        action: 'access-refused',
        subjectType: 'district-access-request',
        subjectId: id,
        detail: { attempted: decision.approve ? 'approve' : 'refuse', reason: englishText(refusal) },
      },
      now,
    );
    throw new DistrictGrantRefused(refusal);
  }
  const validUntil = decision.approve
    ? new Date(now.getTime() + request.days * 86_400_000).toISOString()
    : null;
  return db
    .transaction(() => {
      db.prepare(
        'UPDATE district_access_requests SET state = ?, decided_by = ?, decided_at = ?, valid_until = ? WHERE id = ?',
      ).run(decision.approve ? 'approved' : 'refused', decider!.id, now.toISOString(), validUntil, id);
      appendAudit(
        db,
        {
          actor: decider!.name,
          action: decision.approve ? 'access-decision' : 'access-refused',
          subjectType: 'district-access-request',
          subjectId: id,
          detail: {
            decision: decision.approve ? 'approved' : 'refused',
            recording: subjectOf(request.stationId, request.recordingId),
            validUntil,
          },
        },
        now,
      );
      return findDistrictRequest(db, id)!;
    })
    .immediate();
}

/** The user's approved, unexpired grant for this recording, if any. */
export function activeDistrictGrant(
  db: Db,
  user: User,
  stationId: string,
  recordingId: number,
  now: Date,
): DistrictAccessRequest | null {
  return (
    (db
      .prepare(
        `${selectRequest} WHERE r.user_id = ? AND r.station_id = ? AND r.recording_id = ? AND r.state = 'approved'
           AND r.valid_until > ? ORDER BY r.valid_until DESC LIMIT 1`,
      )
      .get(user.id, stationId, recordingId, now.toISOString()) as DistrictAccessRequest | undefined) ?? null
  );
}

export function requestsFor(
  db: Db,
  user: User,
  stationId: string,
  recordingId: number,
): DistrictAccessRequest[] {
  return db
    .prepare(
      `${selectRequest} WHERE r.user_id = ? AND r.station_id = ? AND r.recording_id = ? ORDER BY r.id DESC`,
    )
    .all(user.id, stationId, recordingId) as DistrictAccessRequest[];
}
