import { englishText, label, type Message } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { type AccessRequest, listAccessRequests } from './access-requests.ts';

// An access request's row says who may see which recordings until when; the entries that made it (the
// request, the leader's decision) say the same in the hash chain. A row changed in the database file
// directly (a later end, one more recording, an approval nobody gave) no longer matches them: verify
// names it, and the access policy does not honour it.
// 事由 and 申请方 (reason, requestingParty) are compared too. Requests from before they existed
// (migration 013) have neither in their entry nor in their row, and absent reads as null on both sides,
// so their seals keep verifying while a reason written into such a row later is still reported.

export interface GrantProblem {
  requestId: number;
  /** In English, for scripts (`station verify --json`) and the log. */
  detail: string;
}

export interface GrantReport {
  checked: number;
  problems: (GrantProblem & { message: Message })[];
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

/** How the request's row differs from what its audit entries recorded, in words; null when it does not. */
export function grantProblem(db: Db, request: AccessRequest): Message | null {
  const entries = db
    .prepare(
      `SELECT actor, action, detail FROM audit_log WHERE subject_type = 'access-request' AND subject_id = ?
         AND action IN ('access-request', 'access-decision', 'access-refused') ORDER BY id`,
    )
    .all(String(request.id)) as EntryRow[];
  const asked = entries.find((entry) => entry.action === 'access-request');
  if (!asked) return { key: 'grant.unrecorded' };
  const recorded = parse(asked.detail);
  const differences: Message[] = [];
  const compare = (field: string, now: unknown, then: unknown) => {
    if (!same(now, then))
      differences.push({
        key: 'grant.difference',
        values: {
          field: label('grant.field.', field),
          now: JSON.stringify(now ?? null),
          recorded: JSON.stringify(then ?? null),
        },
      });
  };
  compare('requester', request.user, asked.actor);
  compare('purpose', request.purpose, recorded.purpose);
  compare('mode', request.mode, recorded.mode);
  compare('days', request.days, recorded.days);
  compare('case', request.caseNumber, recorded.caseNumber);
  compare('reason', request.reason, recorded.reason);
  compare('requestingParty', request.requestingParty, recorded.requestingParty);
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
    compare('validUntil', request.validUntil, null);
  } else {
    compare('state', request.state, decision.fields.decision);
    compare('decidedBy', request.decidedBy, decision.actor);
    compare('validUntil', request.validUntil, decision.fields.validUntil);
  }
  return differences.length ? { key: 'grant.differences', values: { differences } } : null;
}

/** Every access request against its record (`station verify`). */
export function verifyAccessGrants(db: Db): GrantReport {
  const requests = listAccessRequests(db);
  const problems = requests.flatMap((request) => {
    const message = grantProblem(db, request);
    return message ? [{ requestId: request.id, detail: englishText(message), message }] : [];
  });
  return { checked: requests.length, problems };
}
