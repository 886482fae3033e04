import type { Db } from '../ledger/database.ts';
import { type AccessRequest, listAccessRequests } from './access-requests.ts';

// An access request's row says who may see which recordings until when; the entries that made it (the
// request, the leader's decision) say the same in the hash chain. A row changed in the database file
// directly (a later end, one more recording, an approval nobody gave) no longer matches them: verify
// names it, and the access policy does not honour it.

export interface GrantProblem {
  requestId: number;
  detail: string;
}

export interface GrantReport {
  checked: number;
  problems: GrantProblem[];
}

interface EntryRow {
  actor: string;
  action: string;
  detail: string;
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** How the request's row differs from what its audit entries recorded, or null when it does not. */
export function grantProblem(db: Db, request: AccessRequest): string | null {
  const entries = db
    .prepare(
      `SELECT actor, action, detail FROM audit_log WHERE subject_type = 'access-request' AND subject_id = ?
         AND action IN ('access-request', 'access-decision', 'access-refused') ORDER BY id`,
    )
    .all(String(request.id)) as EntryRow[];
  const asked = entries.find((entry) => entry.action === 'access-request');
  if (!asked) return 'no audit entry records this request';
  const recorded = parse(asked.detail);
  const differences: string[] = [];
  const compare = (what: string, now: unknown, then: unknown) => {
    if (!same(now, then))
      differences.push(`${what} ${JSON.stringify(now)}, recorded ${JSON.stringify(then)}`);
  };
  compare('requester', request.user, asked.actor);
  compare('purpose', request.purpose, recorded.purpose);
  compare('mode', request.mode, recorded.mode);
  compare('days', request.days, recorded.days);
  compare('case', request.caseNumber, recorded.caseNumber);
  compare(
    'recordings',
    [...request.recordingIds].sort((a, b) => a - b),
    [...((recorded.recordingIds as number[] | undefined) ?? [])].sort((a, b) => a - b),
  );
  // A leader's decision carries `decision`; refused attempts to decide do not.
  const decision = entries
    .map((entry) => ({ ...entry, fields: parse(entry.detail) }))
    .find((entry) => {
      return typeof entry.fields.decision === 'string';
    });
  if (!decision) {
    compare('state', request.state, 'pending');
    compare('valid until', request.validUntil, null);
  } else {
    compare('state', request.state, decision.fields.decision);
    compare('decided by', request.decidedBy, decision.actor);
    compare('valid until', request.validUntil, decision.fields.validUntil);
  }
  return differences.length ? differences.join('; ') : null;
}

/** Every access request against its record (`station verify`). */
export function verifyAccessGrants(db: Db): GrantReport {
  const requests = listAccessRequests(db);
  const problems = requests.flatMap((request) => {
    const detail = grantProblem(db, request);
    return detail ? [{ requestId: request.id, detail }] : [];
  });
  return { checked: requests.length, problems };
}
