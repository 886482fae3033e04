import { createHash } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addUser, type User } from '../src/auth/users.ts';
import { type AuditRow, appendAudit, genesisHash, rowHash } from '../src/custody/audit-log.ts';
import { confirmRecording } from '../src/dashboard/data/review.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { tokenEnv, useIngestedHomes } from './helpers/custody-fixtures.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

// Issue 12, findings 2 (the CLI), 4 and 5, and the chain head anchored outside the database: what an
// insider with a shell on the station PC does to station.db, and what `station verify` says.

interface VerifyJson {
  passed: boolean;
  auditChain: { problems: { entryId: number; problem: string }[] };
  anchors: { checked: number; problems: { problem: string; detail: string }[] };
  ledger: { problems: { recordingId: number; problem: string; fields: string[]; detail: string }[] };
}

const homes = useIngestedHomes();

function withDb<T>(home: string, work: (db: Database.Database) => T): T {
  const db = new Database(path.join(home, 'station.db'));
  db.pragma('foreign_keys = OFF');
  try {
    return work(db);
  } finally {
    db.close();
  }
}

async function verify(home: string, env: Record<string, string> = {}) {
  const result = await runStation(['verify', '--json'], { home, env });
  return { code: result.code, report: parseJson<VerifyJson>(result) };
}

/** Rewrites the whole chain from `rows` with fresh ids and hashes: what a careful insider would do. */
function rebuildChain(db: Database.Database, rows: AuditRow[]): void {
  db.prepare('DELETE FROM audit_log').run();
  const insert = db.prepare(
    `INSERT INTO audit_log (id, at, actor, action, subject_type, subject_id, detail, previous_hash, hash)
     VALUES (@id, @at, @actor, @action, @subject_type, @subject_id, @detail, @previous_hash, @hash)`,
  );
  let previous = genesisHash;
  rows.forEach((row, index) => {
    const rebuilt = { ...row, id: index + 1, previous_hash: previous };
    rebuilt.hash = rowHash(rebuilt);
    insert.run(rebuilt);
    previous = rebuilt.hash;
  });
}

describe('finding 4: verify never accepts a change of an immutable field', () => {
  it('names a replaced archive file whose sha256 a correctly chained, forged correction changed', async () => {
    const home = await homes.fresh();
    const { archivePath, sha256 } = withDb(
      home,
      (db) =>
        db.prepare('SELECT archive_path AS archivePath, sha256 FROM recordings WHERE id = 1').get() as {
          archivePath: string;
          sha256: string;
        },
    );
    const file = path.join(home, 'archive', archivePath);
    await chmod(file, 0o644);
    const forgedContent = Buffer.concat([await readFile(file), Buffer.from('edited')]);
    await writeFile(file, forgedContent);
    const forged = createHash('sha256').update(forgedContent).digest('hex');
    const db = openDatabase(path.join(home, 'station.db'));
    db.prepare('UPDATE recordings SET sha256 = ?, size_bytes = ? WHERE id = 1').run(
      forged,
      forgedContent.length,
    );
    // Chained exactly as the station chains: the audit chain alone is intact.
    appendAudit(db, {
      actor: 'clerk',
      action: 'correction',
      subjectType: 'recording',
      subjectId: 1,
      detail: {
        field: 'sha256',
        old: sha256,
        new: forged,
        reason: 'recalculated',
        sealed: { sha256: forged },
      },
    });
    db.close();
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([]);
    expect(report.ledger.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordingId: 1, problem: 'forbidden-change', fields: ['sha256'] }),
        expect.objectContaining({
          recordingId: 1,
          problem: 'edited-row',
          fields: expect.arrayContaining(['sha256', 'sizeBytes']),
        }),
      ]),
    );
  });
});

describe('finding 5: every ledger field that matters is sealed', () => {
  it('names officer name, date, duration, late, playback and confirmed_by edited in SQLite', async () => {
    const home = await homes.fresh();
    withDb(home, (db) =>
      db
        .prepare(
          `UPDATE recordings SET officer_name = '王五', local_date = '2020-01-01', duration_seconds = 1, late = 1,
           playback = 'damaged', confirmed_by = 'clerk', confirmed_at = '2026-01-01T00:00:00.000Z' WHERE id = 1`,
        )
        .run(),
    );
    const { code, report } = await verify(home);
    expect(code).toBe(1);
    const [edited] = report.ledger.problems.filter((problem) => problem.recordingId === 1);
    expect(edited.fields).toEqual(
      expect.arrayContaining(['officerName', 'date', 'durationSeconds', 'late', 'playback', 'confirmedBy']),
    );
  });
});

describe('the chain head anchored outside the database', () => {
  async function anchoredHome() {
    const home = await homes.fresh();
    const outside = await temporaryFolder('anchor-media');
    homes.later(outside.remove);
    const configFile = path.join(outside.path, 'station.json');
    const anchors = path.join(outside.path, 'usb', 'anchors');
    await writeFile(configFile, JSON.stringify({ audit: { anchorFolders: [anchors] } }));
    const env = { STATION_CONFIG: configFile };
    const written = await runStation(['audit', 'anchor'], { home, env });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/链头条目：#\d+\n链头哈希：[0-9a-f]{64}\n条目数：\d+/);
    return { home, env };
  }

  it('passes while the log still holds the anchored head', async () => {
    const { home, env } = await anchoredHome();
    const { code, report } = await verify(home, env);
    expect(code).toBe(0);
    expect(report.anchors.checked).toBe(1);
  });

  it('names entries deleted and the chain rebuilt, which the chain alone cannot see', async () => {
    const { home, env } = await anchoredHome();
    withDb(home, (db) => {
      const rows = db.prepare('SELECT * FROM audit_log WHERE id <> 2 ORDER BY id').all() as AuditRow[];
      rebuildChain(db, rows);
    });
    const { code, report } = await verify(home, env);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([]);
    expect(report.anchors.problems).toEqual([expect.objectContaining({ problem: 'deleted' })]);
  });

  it('names an entry rewritten and the chain rebuilt', async () => {
    const { home, env } = await anchoredHome();
    withDb(home, (db) => {
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];
      rows[0] = { ...rows[0], actor: 'someone else' };
      rebuildChain(db, rows);
    });
    const { code, report } = await verify(home, env);
    expect(code).toBe(1);
    expect(report.auditChain.problems).toEqual([]);
    expect(report.anchors.problems).toEqual([expect.objectContaining({ problem: 'rewritten' })]);
    // People read it in the station's language, with the anchor's time as local time.
    const text = await runStation(['verify'], { home, env });
    expect(text.stdout).toMatch(
      /审计日志（.+ 中的锚点）：第 #\d+ 条（\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 时的链头）的哈希已不是 [0-9a-f]{64}：到此为止的日志被改写/,
    );
  });
});

describe('finding 2: a command that records a person’s act proves the person', () => {
  it('refuses a bare --user or --by, a token of someone else and a wrong password, and logs the failed proofs', async () => {
    const home = await homes.fresh();
    const db = openDatabase(path.join(home, 'station.db'));
    const opsToken = tokenEnv(db, 'ops');
    const leaderToken = tokenEnv(db, 'leader');
    await addUser(db, { name: 'leader9', role: 'leader', password: 'leader nine passphrase' }, new Date());
    db.close();
    const ask = ['access', 'request', '--recordings', '1', '--purpose', 'training', '--mode', 'copy'];

    const bare = await runStation([...ask, '--user', 'auditor'], { home });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--password-stdin');
    expect(bare.stderr).toContain('STATION_TOKEN');

    const borrowed = await runStation([...ask, '--user', 'auditor'], { home, env: opsToken });
    expect(borrowed.code).toBe(1);
    expect(borrowed.stderr).toContain('STATION_TOKEN');

    const asOps = await runStation([...ask, '--user', 'ops', '--json'], { home, env: opsToken });
    expect(asOps.code, asOps.stderr).toBe(0);
    const { id } = parseJson<{ id: number }>(asOps);

    const guessed = await runStation(
      ['access', 'approve', String(id), '--by', 'leader9', '--password-stdin'],
      {
        home,
        input: 'not the password\n',
      },
    );
    expect(guessed.code).toBe(1);
    const proven = await runStation(
      ['access', 'approve', String(id), '--by', 'leader9', '--password-stdin'],
      {
        home,
        input: 'leader nine passphrase\n',
      },
    );
    expect(proven.code, proven.stderr).toBe(0);
    // A leader's token proves that leader only.
    const asLeader = await runStation(['retention', 'approve', '1', '--by', 'leader9'], {
      home,
      env: leaderToken,
    });
    expect(asLeader.code).toBe(1);

    const failed = withDb(
      home,
      (db) =>
        db
          .prepare(
            "SELECT actor FROM audit_log WHERE action = 'access-refused' AND subject_type = 'cli' ORDER BY id",
          )
          .pluck()
          .all() as string[],
    );
    expect(failed).toEqual(['auditor', 'leader9', 'leader9']);
    // Several real CLI runs, each opening the station: slow on a loaded machine, not a timing check.
  }, 300_000);
});

describe('station ledger withdraw', () => {
  it('withdraws the clerk’s decision with a reason, on the record, and refuses anyone but the clerk', async () => {
    const home = await homes.fresh();
    const db = openDatabase(path.join(home, 'station.db'));
    const clerk = db.prepare("SELECT * FROM users WHERE name = 'clerk'").get() as { id: number };
    confirmRecording(db, 1, { ...clerk, name: 'clerk', role: 'clerk' } as User, new Date());
    const env = { clerk: tokenEnv(db, 'clerk'), ops: tokenEnv(db, 'ops') };
    db.close();
    const withdraw = (by: 'clerk' | 'ops', ...more: string[]) =>
      runStation(['ledger', 'withdraw', '1', '--reason', '误点确认，需重新查看', '--by', by, ...more], {
        home,
        env: { LOG_LEVEL: 'error', ...env[by] },
      });

    const byOps = await withdraw('ops');
    expect(byOps.code).toBe(1);
    expect(byOps.stderr).toContain('ops（综合办公室）无权撤销回放确认，须由档案管理员办理');
    const withdrawn = await withdraw('clerk');
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toContain('记录 #1：已撤销“已确认回放正常并登记”（理由：误点确认，需重新查看）');
    const again = await withdraw('clerk', '--json');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('记录 #1 尚无可撤销的决定');

    const ledger = parseJson<{ recordings: { id: number; confirmedAt: string | null }[] }>(
      await runStation(['ledger', '--json'], { home }),
    );
    expect(ledger.recordings.find((row) => row.id === 1)?.confirmedAt).toBeNull();
    const check = await verify(home);
    expect(check.code).toBe(0);
    const reopened = openDatabase(path.join(home, 'station.db'));
    const correction = reopened
      .prepare('SELECT field, corrected_by AS by, reason FROM corrections WHERE recording_id = 1')
      .get();
    reopened.close();
    expect(correction).toEqual({ field: 'confirmation', by: 'clerk', reason: '误点确认，需重新查看' });
  }, 300_000);
});
