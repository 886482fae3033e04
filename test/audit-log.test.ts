import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/custody/audit-chain.ts';
import { auditDigest, auditDigestJob, matchesDigest } from '../src/custody/audit-digest.ts';
import { appendAudit, auditTrail, genesisHash } from '../src/custody/audit-log.ts';
import { CorrectionError, correctionsOf, correctRecording } from '../src/custody/corrections.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { insertRecording } from '../src/ledger/recordings.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

const run = promisify(execFile);
const zone = 'Asia/Shanghai';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function freshDatabase(): Promise<{ db: Db; home: string }> {
  const folder = await temporaryFolder('audit');
  const db = openDatabase(path.join(folder.path, 'station.db'));
  cleanups.push(async () => {
    db.close();
    await folder.remove();
  });
  return { db, home: folder.path };
}

function addRecording(db: Db) {
  return insertRecording(db, {
    dockId: null,
    deviceId: null,
    sourcePath: 'VID_0001.mp4',
    sourceSize: 10,
    sourceMtime: null,
    sizeBytes: 10,
    sha256: 'b'.repeat(64),
    duplicateOf: null,
    archivePath: '2026-11-26/010001/VID_0001.mp4',
    kind: 'video',
    start: '2026-11-26T10:00:00+08:00',
    end: '2026-11-26T10:01:00+08:00',
    startMs: Date.parse('2026-11-26T02:00:00Z'),
    endMs: Date.parse('2026-11-26T02:01:00Z'),
    startSource: 'file-name',
    clockOffsetSeconds: null,
    timeFlags: [],
    durationSeconds: 60,
    date: '2026-11-26',
    officerId: null,
    badge: '010001',
    officerName: null,
    ingestedAt: '2026-11-26T03:00:00Z',
    late: false,
    copiedAt: null,
    verifiedAt: null,
  });
}

describe('the audit log', () => {
  it('chains each entry to the one before it, starting from the genesis hash', async () => {
    const { db } = await freshDatabase();
    const first = appendAudit(db, {
      actor: 'station',
      action: 'ingest',
      subjectType: 'recording',
      subjectId: 1,
    });
    const second = appendAudit(db, {
      actor: 'clerk',
      action: 'confirm',
      subjectType: 'recording',
      subjectId: 1,
    });
    expect(first.previousHash).toBe(genesisHash);
    expect(second.previousHash).toBe(first.hash);
    expect(second.id).toBe(first.id + 1);
    expect(auditTrail(db, 'recording', 1).map((entry) => entry.action)).toEqual(['ingest', 'confirm']);
  });

  it('verifies an untouched chain and reports its head', async () => {
    const { db } = await freshDatabase();
    for (let index = 0; index < 20; index++)
      appendAudit(db, { actor: 'station', action: 'view', subjectId: index });
    const report = verifyAuditChain(db);
    expect(report).toMatchObject({ checked: 20, headId: 20, problems: [] });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stays one linear chain when several processes append at the same time', async () => {
    const { db, home } = await freshDatabase();
    const file = path.join(home, 'station.db');
    const script = `
      import { appendAudit } from ${JSON.stringify(path.resolve('src/custody/audit-log.ts'))};
      import { openDatabase } from ${JSON.stringify(path.resolve('src/ledger/database.ts'))};
      const db = openDatabase(process.argv[1]);
      for (let index = 0; index < 25; index++) appendAudit(db, { actor: 'writer', action: 'view', subjectId: index });
      db.close();`;
    const writers = Array.from({ length: 4 }, () =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file]),
    );
    await Promise.all(writers);
    expect(verifyAuditChain(db)).toMatchObject({ checked: 100, headId: 100, problems: [] });
  });

  it('keeps a tampered detail readable so verification can report it', async () => {
    const { db } = await freshDatabase();
    appendAudit(db, { actor: 'station', action: 'ingest', subjectType: 'recording', subjectId: 1 });
    db.prepare("UPDATE audit_log SET detail = 'not json' WHERE id = 1").run();
    expect(auditTrail(db, 'recording', 1)[0].detail).toEqual({ unparsable: 'not json' });
    expect(verifyAuditChain(db).problems).toEqual([
      expect.objectContaining({ entryId: 1, problem: 'edited' }),
    ]);
  });
});

describe('the daily digest', () => {
  it('gives the chain head at the end of a local day, with the number of entries up to it', async () => {
    const { db } = await freshDatabase();
    // 23:30 and 23:59 in Shanghai on the 25th, then 00:10 on the 26th.
    appendAudit(db, { actor: 'a', action: 'login' }, new Date('2026-11-25T15:30:00Z'));
    const lastOfDay = appendAudit(db, { actor: 'a', action: 'logout' }, new Date('2026-11-25T15:59:00Z'));
    appendAudit(db, { actor: 'b', action: 'login' }, new Date('2026-11-25T16:10:00Z'));
    const digest = auditDigest(db, { date: '2026-11-25', zone, now: new Date('2026-11-27T00:00:00Z') });
    expect(digest).toEqual({ date: '2026-11-25', headId: lastOfDay.id, headHash: lastOfDay.hash, count: 2 });
    const today = auditDigest(db, { zone, now: new Date('2026-11-26T01:00:00Z') });
    expect(today).toMatchObject({ date: '2026-11-26', headId: 3, count: 3 });
  });

  it('catches the removal of the newest entries, which the chain alone cannot', async () => {
    const { db } = await freshDatabase();
    for (let index = 0; index < 5; index++) appendAudit(db, { actor: 'station', action: 'view' });
    const digest = auditDigest(db, { zone, now: new Date() });
    db.prepare('DELETE FROM audit_log WHERE id >= 4').run();
    expect(verifyAuditChain(db).problems).toEqual([]);
    expect(matchesDigest(db, digest)).toBe(false);
  });

  it('prints the digest from the command line, as text and as JSON', async () => {
    const { db, home } = await freshDatabase();
    appendAudit(db, { actor: 'a', action: 'login' }, new Date('2026-11-25T04:00:00Z'));
    const json = await runStation(['audit', 'digest', '--date', '2026-11-25', '--json'], { home });
    expect(json.code).toBe(0);
    const digest = parseJson<{ headId: number; headHash: string; count: number }>(json);
    expect(digest).toMatchObject({ headId: 1, count: 1 });
    const text = await runStation(['audit', 'digest', '--date', '2026-11-25'], { home });
    expect(text.stdout).toContain(`链头哈希：${digest.headHash}`);
    expect((await runStation(['audit', 'digest', '--date', 'yesterday'], { home })).code).toBe(2);
  });

  it('is written every night for the day before, as JSON and text', async () => {
    const { db, home } = await freshDatabase();
    const entry = appendAudit(db, { actor: 'a', action: 'login' }, new Date('2026-11-25T04:00:00Z'));
    const job = auditDigestJob({ db, config: { home, station: { timezone: zone } } });
    await job.run(new Date('2026-11-25T16:05:00Z'));
    const saved = JSON.parse(await readFile(path.join(home, 'audit-digests', '2026-11-25.json'), 'utf8'));
    expect(saved).toEqual({ date: '2026-11-25', headId: entry.id, headHash: entry.hash, count: 1 });
    expect(await readFile(path.join(home, 'audit-digests', '2026-11-25.txt'), 'utf8')).toContain(entry.hash);
  });

  it('is checked against the log later, failing once the entries it covers are gone', async () => {
    const { db, home } = await freshDatabase();
    appendAudit(db, { actor: 'a', action: 'login' });
    appendAudit(db, { actor: 'a', action: 'logout' });
    const saved = path.join(home, 'digest.json');
    const digest = await runStation(['audit', 'digest', '--json'], { home });
    await writeFile(saved, digest.stdout);
    expect((await runStation(['audit', 'check', saved], { home })).code).toBe(0);
    db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    const check = await runStation(['audit', 'check', saved], { home });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('#2');
  });
});

describe('corrections', () => {
  it('are new entries naming the recording, field, old and new value, who and why', async () => {
    const { db } = await freshDatabase();
    const recording = addRecording(db);
    const correction = correctRecording(db, {
      recordingId: recording.id,
      field: 'badge',
      value: '010002',
      by: 'clerk',
      reason: 'recorder was lent to 010002 that day',
    });
    expect(correctionsOf(db, recording.id)).toEqual([correction]);
    expect(correction).toMatchObject({
      field: 'badge',
      oldValue: '010001',
      newValue: '010002',
      correctedBy: 'clerk',
    });
    const [entry] = auditTrail(db, 'recording', recording.id);
    expect(entry).toMatchObject({ id: correction.auditId, action: 'correction', actor: 'clerk' });
    expect(entry.detail).toMatchObject({ field: 'badge', old: '010001', new: '010002' });
  });

  it('are refused for what identifies the file, and without a reason', async () => {
    const { db } = await freshDatabase();
    const recording = addRecording(db);
    const attempt =
      (field: string, reason = 'typo') =>
      () =>
        correctRecording(db, { recordingId: recording.id, field, value: 'x', by: 'clerk', reason });
    for (const field of ['sha256', 'sizeBytes', 'archivePath', 'sourcePath', 'kind', 'ingestedAt']) {
      expect(attempt(field)).toThrow(CorrectionError);
    }
    expect(attempt('badge', ' ')).toThrow(/reason/);
    expect(correctionsOf(db, recording.id)).toEqual([]);
    expect(verifyAuditChain(db).checked).toBe(0);
  });
});
