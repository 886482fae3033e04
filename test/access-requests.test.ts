import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findUserByName, type User } from '../src/auth/users.ts';
import { authorize, canCopy, canView } from '../src/custody/access-policy.ts';
import {
  AccessRefused,
  AccessRequestError,
  createAccessRequest,
  decideAccessRequest,
  findAccessRequest,
} from '../src/custody/access-requests.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { insertRecording } from '../src/ledger/recordings.ts';
import { addUsersForEveryRole, roles, tokenEnv } from './helpers/custody-fixtures.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const requestedAt = new Date('2026-11-26T02:00:00Z');
const approvedAt = new Date('2026-11-26T03:00:00Z');
const duringGrant = new Date('2026-11-27T03:00:00Z');
const afterGrant = new Date('2026-11-29T03:00:01Z');

async function freshStation(): Promise<{ db: Db; home: string }> {
  const folder = await temporaryFolder('access');
  const db = openDatabase(path.join(folder.path, 'station.db'));
  addUsersForEveryRole(db);
  // A second leader: the first may not decide requests of their own.
  db.prepare(
    "INSERT INTO users (name, role, password_hash, created_at) VALUES ('leader2', 'leader', 'not-used', ?)",
  ).run(requestedAt.toISOString());
  for (const [index, badge] of ['010001', '010002'].entries()) {
    insertRecording(db, {
      dockId: null,
      deviceId: null,
      sourcePath: `VID_000${index + 1}.mp4`,
      sourceSize: 10,
      sourceMtime: null,
      sizeBytes: 10,
      sha256: String(index).repeat(64),
      duplicateOf: null,
      archivePath: `2026-11-26/${badge}/VID_000${index + 1}.mp4`,
      kind: 'video',
      start: null,
      end: null,
      startMs: null,
      endMs: null,
      startSource: null,
      clockOffsetSeconds: null,
      timeFlags: [],
      durationSeconds: 60,
      date: '2026-11-26',
      officerId: null,
      badge,
      officerName: null,
      ingestedAt: requestedAt.toISOString(),
      late: false,
      copiedAt: null,
      verifiedAt: null,
    });
  }
  cleanups.push(async () => {
    db.close();
    await folder.remove();
  });
  return { db, home: folder.path };
}

const user = (db: Db, name: string): User => findUserByName(db, name)!;

function grant(
  db: Db,
  name: string,
  mode: 'view' | 'copy',
  decision: 'approve' | 'refuse' | 'pending' = 'approve',
) {
  const request = createAccessRequest(
    db,
    { user: name, purpose: 'administrative-review', mode, recordingIds: [1], days: 3 },
    requestedAt,
  );
  if (decision === 'pending') return request;
  const by = name === 'leader' ? 'leader2' : 'leader';
  return decideAccessRequest(db, request.id, { by, approve: decision === 'approve' }, approvedAt);
}

// Recording #1 is officer 010001's (the "officer" user's own).
const viewWithoutGrant: Record<(typeof roles)[number], boolean> = {
  officer: true,
  clerk: true,
  leader: true,
  ops: false,
  auditor: false,
  admin: false,
};

describe('access to footage without a grant', () => {
  it('lets only the owning officer, the clerk and the leader view, and nobody copy', async () => {
    const { db } = await freshStation();
    for (const role of roles) {
      expect(canView(db, user(db, role), 1, duringGrant).allowed, `${role} view`).toBe(
        viewWithoutGrant[role],
      );
      expect(canCopy(db, user(db, role), 1, duringGrant).allowed, `${role} copy`).toBe(false);
    }
  });

  it('keeps an officer away from another officer’s recording, and from their own when the config says so', async () => {
    const { db } = await freshStation();
    const officer = user(db, 'officer');
    expect(canView(db, officer, 2, duringGrant).allowed).toBe(false);
    expect(canView(db, officer, 1, duringGrant, { officerViewsOwn: false }).allowed).toBe(false);
  });
});

// The admin keeps accounts and is never in the footage path: no request, so no grant.
const requesters = roles.filter((role) => role !== 'admin');

describe('access with a grant', () => {
  it('lets every role view with an approved view grant, but not copy', async () => {
    const { db } = await freshStation();
    for (const role of requesters) {
      const request = grant(db, role, 'view');
      const view = canView(db, user(db, role), 1, duringGrant, { officerViewsOwn: false });
      expect(view, role).toEqual({
        allowed: true,
        reason: `approved request #${request.id}`,
        requestId: request.id,
      });
      expect(canCopy(db, user(db, role), 1, duringGrant).allowed, role).toBe(false);
      // The grant names recording #1 only; #2 stays as it was without one.
      const otherRecording = canView(db, user(db, role), 2, duringGrant).allowed;
      expect(otherRecording, `${role} other recording`).toBe(role === 'clerk' || role === 'leader');
    }
  });

  it('lets every role view and copy with an approved copy grant', async () => {
    const { db } = await freshStation();
    for (const role of requesters) {
      grant(db, role, 'copy');
      expect(canView(db, user(db, role), 1, duringGrant).allowed, role).toBe(true);
      expect(canCopy(db, user(db, role), 1, duringGrant).allowed, role).toBe(true);
      expect(canCopy(db, user(db, role), 2, duringGrant).allowed, `${role} other recording`).toBe(false);
    }
  });

  it('gives nothing once the grant has expired', async () => {
    const { db } = await freshStation();
    for (const role of requesters) {
      grant(db, role, 'copy');
      expect(canCopy(db, user(db, role), 1, afterGrant).allowed, role).toBe(false);
      expect(canView(db, user(db, role), 1, afterGrant).allowed, role).toBe(viewWithoutGrant[role]);
    }
  });

  it('gives nothing for a refused or a pending request', async () => {
    const { db } = await freshStation();
    const refused = grant(db, 'auditor', 'copy', 'refuse');
    expect(refused.state).toBe('refused');
    expect(canCopy(db, user(db, 'auditor'), 1, duringGrant).allowed).toBe(false);
    grant(db, 'ops', 'copy', 'pending');
    expect(canView(db, user(db, 'ops'), 1, duringGrant).allowed).toBe(false);
  });

  it('gives nothing to a disabled user, grant or not', async () => {
    const { db } = await freshStation();
    grant(db, 'auditor', 'copy');
    db.prepare("UPDATE users SET disabled = 1 WHERE name = 'auditor'").run();
    expect(canCopy(db, user(db, 'auditor'), 1, duringGrant)).toMatchObject({
      allowed: false,
      reason: 'user is disabled',
    });
  });

  it('logs every refused access when the caller is about to serve footage', async () => {
    const { db } = await freshStation();
    expect(authorize(db, user(db, 'ops'), 1, 'view', duringGrant).allowed).toBe(false);
    expect(authorize(db, user(db, 'clerk'), 1, 'view', duringGrant).allowed).toBe(true);
    const trail = auditTrail(db, 'recording', 1);
    expect(trail).toEqual([expect.objectContaining({ actor: 'ops', action: 'access-refused' })]);
  });
});

describe('access requests', () => {
  it('are decided by a leader only; anyone else is refused and logged', async () => {
    const { db } = await freshStation();
    const request = grant(db, 'auditor', 'copy', 'pending');
    for (const role of ['officer', 'clerk', 'ops', 'auditor', 'admin'] as const) {
      expect(() => decideAccessRequest(db, request.id, { by: role, approve: true }, approvedAt)).toThrow(
        AccessRefused,
      );
    }
    expect(() => decideAccessRequest(db, request.id, { by: 'nobody', approve: true }, approvedAt)).toThrow(
      AccessRefused,
    );
    expect(findAccessRequest(db, request.id)?.state).toBe('pending');
    const refusals = auditTrail(db, 'access-request', request.id).filter(
      (entry) => entry.action === 'access-refused',
    );
    expect(refusals.map((entry) => entry.actor)).toEqual([
      'officer',
      'clerk',
      'ops',
      'auditor',
      'admin',
      'nobody',
    ]);
    const approved = decideAccessRequest(db, request.id, { by: 'leader2', approve: true }, approvedAt);
    expect(approved).toMatchObject({
      state: 'approved',
      decidedBy: 'leader2',
      validUntil: '2026-11-29T03:00:00.000Z',
    });
    expect(() => decideAccessRequest(db, request.id, { by: 'leader', approve: false }, approvedAt)).toThrow(
      /already decided: Approved/,
    );
  });

  it('log a leader’s refusal as a refused access', async () => {
    const { db } = await freshStation();
    const request = grant(db, 'auditor', 'view', 'refuse');
    const actions = auditTrail(db, 'access-request', request.id).map((entry) => entry.action);
    expect(actions).toEqual(['access-request', 'access-refused']);
  });

  it('accept purposes by their Chinese name and warn about third parties for the party concerned', async () => {
    const { db } = await freshStation();
    const request = createAccessRequest(
      db,
      { user: 'auditor', purpose: '当事人', mode: 'view', recordingIds: [1] },
      requestedAt,
    );
    expect(request).toMatchObject({ purpose: 'party-concerned', thirdPartyReview: true, days: 7 });
    const litigation = createAccessRequest(
      db,
      { user: 'auditor', purpose: '行政诉讼', mode: 'copy', recordingIds: [1, 2] },
      requestedAt,
    );
    expect(litigation).toMatchObject({
      purpose: 'administrative-litigation',
      thirdPartyReview: false,
      recordingIds: [1, 2],
    });
  });

  it('reject unknown users, purposes and recordings', async () => {
    const { db } = await freshStation();
    const base = { user: 'auditor', purpose: 'training', mode: 'view', recordingIds: [1] };
    expect(() => createAccessRequest(db, { ...base, user: 'ghost' }, requestedAt)).toThrow(
      AccessRequestError,
    );
    expect(() => createAccessRequest(db, { ...base, purpose: 'curiosity' }, requestedAt)).toThrow(
      /unknown purpose/,
    );
    expect(() => createAccessRequest(db, { ...base, recordingIds: [9] }, requestedAt)).toThrow(/#9/);
    expect(() => createAccessRequest(db, { ...base, mode: 'delete' }, requestedAt)).toThrow(/view or copy/);
  });

  it('can name a case instead of recordings, covering the recordings linked to it', async () => {
    const { db } = await freshStation();
    db.prepare(
      "INSERT INTO cases (id, number, enforcement_type, created_at, created_by) VALUES (1, '丰执罚〔2026〕1号', 'general', ?, 'clerk')",
    ).run(requestedAt.toISOString());
    db.prepare(
      "INSERT INTO recording_cases (recording_id, case_id, linked_at, linked_by) VALUES (2, 1, ?, 'clerk')",
    ).run(requestedAt.toISOString());
    const request = createAccessRequest(
      db,
      { user: 'auditor', purpose: 'audit-organ', mode: 'view', caseNumber: '丰执罚〔2026〕1号' },
      requestedAt,
    );
    expect(request.recordingIds).toEqual([2]);
    decideAccessRequest(db, request.id, { by: 'leader', approve: true }, approvedAt);
    expect(canView(db, user(db, 'auditor'), 2, duringGrant).allowed).toBe(true);
    expect(canView(db, user(db, 'auditor'), 1, duringGrant).allowed).toBe(false);
  });
});

describe('station access', () => {
  it('requests, approves, refuses and lists from the command line with the documented exit codes', async () => {
    const { db, home } = await freshStation();
    const as = (name: string) => ({ home, env: tokenEnv(db, name) });
    const requested = await runStation(
      [
        'access',
        'request',
        '--recordings',
        '1,2',
        '--purpose',
        '信访',
        '--mode',
        'copy',
        '--user',
        'auditor',
        '--days',
        '2',
      ],
      as('auditor'),
    );
    expect(requested.code).toBe(0);
    const id = requested.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    const byOfficer = await runStation(['access', 'approve', id, '--by', 'officer'], as('officer'));
    expect(byOfficer.code).toBe(1);
    expect(byOfficer.stderr).toContain('无权审批调阅申请，须由负责人审批');
    expect((await runStation(['access', 'approve', id, '--by', 'leader'], as('leader'))).code).toBe(0);
    const party = await runStation(
      [
        'access',
        'request',
        '--recordings',
        '1',
        '--purpose',
        'party-concerned',
        '--mode',
        'view',
        '--user',
        'ops',
        '--json',
      ],
      as('ops'),
    );
    const partyRequest = parseJson<{ id: number; thirdPartyReview: boolean }>(party);
    expect(partyRequest.thirdPartyReview).toBe(true);
    expect(
      (await runStation(['access', 'refuse', String(partyRequest.id), '--by', 'leader'], as('leader'))).code,
    ).toBe(0);
    const list = parseJson<{ id: number; state: string; decidedBy: string; recordingIds: number[] }[]>(
      await runStation(['access', 'list', '--json'], { home }),
    );
    expect(list).toEqual([
      expect.objectContaining({
        id: Number(id),
        state: 'approved',
        decidedBy: 'leader',
        recordingIds: [1, 2],
      }),
      expect.objectContaining({ id: partyRequest.id, state: 'refused' }),
    ]);
    const bad = await runStation(
      ['access', 'request', '--recordings', '1', '--purpose', 'gossip', '--mode', 'view', '--user', 'ops'],
      as('ops'),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('未知的调阅事由“gossip”；可选：行政复议、行政诉讼');
    // Several real CLI runs, each opening the station: slow on a loaded machine, not a timing check.
  }, 300_000);

  it('takes 事由 and 申请方 as the web form does, and shows them to the leader who decides', async () => {
    const { db, home } = await freshStation();
    const as = (name: string) => ({ home, env: tokenEnv(db, name) });
    const requested = await runStation(
      [
        'access',
        'request',
        '--recordings',
        '1',
        '--purpose',
        '司法机关',
        '--mode',
        'copy',
        '--reason',
        '（2026）民初 123 号案件取证',
        '--party',
        '某区人民法院',
        '--user',
        'auditor',
        '--json',
      ],
      as('auditor'),
    );
    expect(requested.code, requested.stderr).toBe(0);
    const request = parseJson<{ id: number; reason: string; requestingParty: string }>(requested);
    expect(request).toMatchObject({ reason: '（2026）民初 123 号案件取证', requestingParty: '某区人民法院' });
    const approved = await runStation(
      ['access', 'approve', String(request.id), '--by', 'leader'],
      as('leader'),
    );
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('事由：（2026）民初 123 号案件取证');
    expect(approved.stdout).toContain('申请方：某区人民法院');
    // The third-party warning belongs to the party concerned alone.
    expect(approved.stdout).not.toContain('第三人');
    expect((await runStation(['verify'], { home })).stdout).toContain(
      '调阅申请：1 个与其审计条目核对，0 个问题',
    );
  }, 300_000);
});
