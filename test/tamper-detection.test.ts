import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type AuditRow, appendAudit, rowHash } from '../src/custody/audit-log.ts';
import { correctRecording } from '../src/custody/corrections.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { useIngestedHomes } from './helpers/custody-fixtures.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

interface VerifyJson {
  passed: boolean;
  checked: number;
  problems: { recordingId: number; archivePath: string; problem: string }[];
  auditChain: {
    checked: number;
    headId: number;
    problems: { entryId: number; problem: string; detail: string }[];
  };
  ledger: { checked: number; problems: { recordingId: number; problem: string; fields: string[] }[] };
}

const homes = useIngestedHomes();
const freshHome = () => homes.fresh();

/** Tampering as someone with a shell would do it: straight on the SQLite file, no station code. */
function tamperWithDatabase(home: string, statements: string): void {
  const db = new Database(path.join(home, 'station.db'));
  db.pragma('foreign_keys = OFF');
  db.exec(statements);
  db.close();
}

function archivedFile(home: string, recordingId: number): { archivePath: string; file: string } {
  const db = new Database(path.join(home, 'station.db'), { readonly: true });
  const archivePath = db
    .prepare('SELECT archive_path FROM recordings WHERE id = ?')
    .pluck()
    .get(recordingId) as string;
  db.close();
  return { archivePath, file: path.join(home, 'archive', archivePath) };
}

async function verify(home: string): Promise<{ code: number; report: VerifyJson }> {
  const result = await runStation(['verify', '--json'], { home });
  return { code: result.code, report: parseJson<VerifyJson>(result) };
}

async function verifyText(home: string): Promise<{ code: number; text: string }> {
  const result = await runStation(['verify'], { home });
  return { code: result.code, text: result.stdout };
}

describe('station verify', () => {
  it('passes an untouched station: every file, the whole audit chain and every ledger seal', async () => {
    const { code, report } = await verify(await freshHome());
    expect(code).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.checked).toBe(3);
    expect(report.auditChain.checked).toBeGreaterThanOrEqual(3);
    expect(report.ledger.checked).toBe(3);
  });

  it('names an archived file that was made writable and changed', async () => {
    const home = await freshHome();
    const { archivePath, file } = archivedFile(home, 2);
    await chmod(file, 0o644);
    await writeFile(file, 'replaced footage', { flag: 'r+' });
    const [{ code, report }, { text }] = await Promise.all([verify(home), verifyText(home)]);
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      expect.objectContaining({ recordingId: 2, archivePath, problem: 'changed' }),
    ]);
    expect(text).toContain(`已被改动：存档文件 #2 ${archivePath}`);
  });

  it('names an archived file that was deleted', async () => {
    const home = await freshHome();
    const { archivePath, file } = archivedFile(home, 1);
    await rm(file);
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      expect.objectContaining({ recordingId: 1, archivePath, problem: 'missing' }),
    ]);
  });

  it('names an audit entry whose content was edited in SQLite', async () => {
    const home = await freshHome();
    tamperWithDatabase(home, `UPDATE audit_log SET actor = 'someone else' WHERE id = 2`);
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([expect.objectContaining({ entryId: 2, problem: 'edited' })]);
  });

  it('names an audit entry that was edited and given a freshly computed hash', async () => {
    const home = await freshHome();
    const db = new Database(path.join(home, 'station.db'));
    const row = db.prepare('SELECT * FROM audit_log WHERE id = 1').get() as AuditRow;
    const forged = { ...row, detail: JSON.stringify({ sha256: '0'.repeat(64) }) };
    db.prepare('UPDATE audit_log SET detail = ?, hash = ? WHERE id = 1').run(forged.detail, rowHash(forged));
    db.close();
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([expect.objectContaining({ entryId: 1, problem: 'edited' })]);
  });

  it('names the audit entries deleted from the middle of the chain', async () => {
    const home = await freshHome();
    tamperWithDatabase(home, 'DELETE FROM audit_log WHERE id = 2');
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toContainEqual(
      expect.objectContaining({ entryId: 2, problem: 'deleted' }),
    );
    // The entry that sealed recording #2 went with it, so its ledger row is no longer vouched for.
    expect(report.ledger.problems).toContainEqual(
      expect.objectContaining({ recordingId: 2, problem: 'unsealed-row' }),
    );
  });

  it('names audit entries that were swapped', async () => {
    const home = await freshHome();
    tamperWithDatabase(
      home,
      `UPDATE audit_log SET id = -1 WHERE id = 2;
       UPDATE audit_log SET id = 2 WHERE id = 3;
       UPDATE audit_log SET id = 3 WHERE id = -1;`,
    );
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([
      expect.objectContaining({
        entryId: 2,
        problem: 'reordered',
        detail: expect.stringMatching(/^was entry #3 /),
      }),
      expect.objectContaining({
        entryId: 3,
        problem: 'reordered',
        detail: expect.stringMatching(/^was entry #2 /),
      }),
    ]);
  });

  it('names a ledger row and the sealed fields edited in SQLite', async () => {
    const home = await freshHome();
    tamperWithDatabase(
      home,
      `UPDATE recordings SET badge = '099999', start_time = '2026-01-01T08:00:00+08:00' WHERE id = 3`,
    );
    const [{ code, report }, { text }] = await Promise.all([verify(home), verifyText(home)]);
    expect(code).toBe(1);
    expect(report.ledger.problems).toEqual([
      expect.objectContaining({ recordingId: 3, problem: 'edited-row', fields: ['start', 'badge'] }),
    ]);
    expect(text).toMatch(
      /被修改：台账记录 #3：开始时间封存时为 .*、执法证号封存时为 "010001"，现为 "099999"/,
    );
    expect(report.auditChain.problems).toEqual([]);
  });

  it('names a ledger row deleted in SQLite', async () => {
    const home = await freshHome();
    tamperWithDatabase(
      home,
      'DELETE FROM dock_files WHERE recording_id = 1; DELETE FROM recordings WHERE id = 1',
    );
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.ledger.problems).toEqual([
      expect.objectContaining({ recordingId: 1, problem: 'deleted-row' }),
    ]);
  });

  it('names a ledger row added in SQLite without going through ingest', async () => {
    const home = await freshHome();
    tamperWithDatabase(
      home,
      `INSERT INTO recordings (source_path, source_size, size_bytes, sha256, kind, ingested_at)
       VALUES ('planted.mp4', 1, 1, '${'a'.repeat(64)}', 'video', '2026-01-01T00:00:00Z')`,
    );
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.ledger.problems).toEqual([
      expect.objectContaining({ recordingId: 4, problem: 'unsealed-row' }),
    ]);
  });

  it('accepts corrections and officer reassignments that went through the audit log', async () => {
    const home = await freshHome();
    const db = openDatabase(path.join(home, 'station.db'));
    correctRecording(db, {
      recordingId: 1,
      field: 'start',
      value: '2026-11-20T09:00:00+08:00',
      by: 'clerk',
      reason: 'recorder clock was a day behind',
    });
    // What the dashboard does when a clerk assigns a recording to another officer.
    db.transaction(() => {
      db.prepare("UPDATE recordings SET badge = '010002', officer_id = NULL WHERE id = 2").run();
      appendAudit(db, {
        actor: 'clerk',
        action: 'assign-officer',
        subjectType: 'recording',
        subjectId: 2,
        detail: { badge: '010002', previousBadge: '010001' },
      });
    })();
    db.close();
    const { code, report } = await verify(home);
    expect(report.ledger.problems).toEqual([]);
    expect(code).toBe(0);
  });
});
