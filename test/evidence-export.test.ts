import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createAccessRequest, decideAccessRequest } from '../src/custody/access-requests.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { tokenEnv, useIngestedHomes } from './helpers/custody-fixtures.ts';
import { runStation, temporaryFolder } from './helpers/station-cli.ts';

const run = promisify(execFile);

const homes = useIngestedHomes();
const freshHome = () => homes.fresh();

async function outFolder(): Promise<string> {
  const folder = await temporaryFolder('export-out');
  homes.later(folder.remove);
  return path.join(folder.path, 'evidence');
}

// Requests are made in-process (the access commands have their own test); export runs as the real CLI.
async function request(
  home: string,
  options: { mode?: string; purpose?: string; decide?: 'approve' | 'refuse' },
) {
  const db = openDatabase(path.join(home, 'station.db'));
  try {
    const created = createAccessRequest(
      db,
      {
        user: 'auditor',
        purpose: options.purpose ?? '行政诉讼',
        mode: options.mode ?? 'copy',
        recordingIds: [1, 3],
      },
      new Date(),
    );
    if (options.decide)
      decideAccessRequest(
        db,
        created.id,
        { by: 'leader', approve: options.decide === 'approve' },
        new Date(),
      );
    return String(created.id);
  } finally {
    db.close();
  }
}

/** `station export` as the grant holder (or the clerk), proven by their API token. */
function exportAs(home: string, id: string, out: string, by = 'auditor') {
  const db = openDatabase(path.join(home, 'station.db'));
  const env = tokenEnv(db, by);
  db.close();
  return runStation(['export', id, '--out', out, '--by', by], { home, env });
}

function query<T>(home: string, sql: string): T[] {
  const db = new Database(path.join(home, 'station.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const exists = (folder: string) =>
  readdir(folder).then(
    () => true,
    () => false,
  );

describe('station export', () => {
  it('writes the files, a manifest sha256sum accepts, the statement and a disc image holding them all', async () => {
    const home = await freshHome();
    const id = await request(home, { decide: 'approve' });
    const out = await outFolder();
    const exported = await exportAs(home, id, out);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'SHA256SUMS',
      'evidence.iso',
      'files',
      'statement.html',
      'statement.txt',
    ]);

    const checked = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out });
    expect(checked.stdout).toMatch(/files\/1-IMG_0003\.jpg: OK/);
    expect(checked.stdout).toMatch(/files\/3-VID_0002\.mp4: OK/);
    const ledger = query<{ id: number; sha256: string }>(
      home,
      'SELECT id, sha256 FROM recordings WHERE id IN (1, 3)',
    );
    const manifest = await readFile(path.join(out, 'SHA256SUMS'), 'utf8');
    for (const row of ledger) expect(manifest).toContain(`${row.sha256}  files/${row.id}-`);

    const statement = await readFile(path.join(out, 'statement.txt'), 'utf8');
    for (const heading of ['制作方法', '制作时间', '制作人', '证明对象', '行政诉讼', 'leader']) {
      expect(statement).toContain(heading);
    }
    for (const row of ledger) expect(statement).toContain(row.sha256);
    expect(statement).toContain('与原件一致');
    const html = await readFile(path.join(out, 'statement.html'), 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(ledger[0].sha256);

    const listing = await run('xorriso', [
      '-indev',
      path.join(out, 'evidence.iso'),
      '-find',
      '/',
      '-type',
      'f',
    ]);
    expect(listing.stdout).toContain("'/files/3-VID_0002.mp4'");
    expect(listing.stdout).toContain("'/SHA256SUMS'");
    const unpacked = path.join(path.dirname(out), 'unpacked');
    await run('xorriso', [
      '-osirrox',
      'on',
      '-indev',
      path.join(out, 'evidence.iso'),
      '-extract',
      '/',
      unpacked,
    ]);
    const fromDisc = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: unpacked });
    expect(fromDisc.stdout.trim().split('\n')).toHaveLength(2);

    const [entry] = query<{ actor: string; detail: string }>(
      home,
      "SELECT actor, detail FROM audit_log WHERE action = 'export' AND subject_type = 'access-request'",
    );
    expect(entry.actor).toBe('auditor');
    expect(JSON.parse(entry.detail).files.map((file: { recordingId: number }) => file.recordingId)).toEqual([
      1, 3,
    ]);
    const perRecording = query<{ subject_id: string }>(
      home,
      "SELECT subject_id FROM audit_log WHERE action = 'export' AND subject_type = 'recording'",
    );
    expect(perRecording.map((row) => row.subject_id)).toEqual(['1', '3']);
    expect((await runStation(['verify'], { home })).code).toBe(0);
  });

  it('warns about third parties in the statement of a party-concerned export', async () => {
    const home = await freshHome();
    const id = await request(home, { purpose: 'party-concerned', decide: 'approve' });
    const out = await outFolder();
    const exported = await exportAs(home, id, out, 'clerk');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('第三人');
    const statement = await readFile(path.join(out, 'statement.txt'), 'utf8');
    expect(statement).toContain('第三人');
    expect(statement).toMatch(/制作人:\n {2}clerk/);
  });

  it('refuses pending, refused, view-only and expired requests, writing nothing and logging the refusal', async () => {
    const home = await freshHome();
    const pending = await request(home, {});
    const refused = await request(home, { decide: 'refuse' });
    const viewOnly = await request(home, { mode: 'view', decide: 'approve' });
    const expired = await request(home, { decide: 'approve' });
    const db = new Database(path.join(home, 'station.db'));
    db.prepare("UPDATE access_requests SET valid_until = '2020-01-01T00:00:00.000Z' WHERE id = ?").run(
      Number(expired),
    );
    db.close();
    const ids = [pending, refused, viewOnly, expired];
    const attempts = await Promise.all(
      ids.map(async (id) => {
        const out = await outFolder();
        const result = await exportAs(home, id, out);
        return { id, code: result.code, written: await exists(out) };
      }),
    );
    expect(attempts).toEqual(ids.map((id) => ({ id, code: 1, written: false })));
    const refusals = query<{ subject_id: string }>(
      home,
      "SELECT subject_id FROM audit_log WHERE action = 'access-refused' AND detail LIKE '%export%'",
    );
    expect(refusals.map((row) => row.subject_id).sort()).toEqual([...ids].sort());
  });

  it('releases nothing when an archived original no longer matches its hash', async () => {
    const home = await freshHome();
    const id = await request(home, { decide: 'approve' });
    const [{ archive_path }] = query<{ archive_path: string }>(
      home,
      'SELECT archive_path FROM recordings WHERE id = 3',
    );
    const file = path.join(home, 'archive', archive_path);
    await chmod(file, 0o644);
    await writeFile(file, 'not the original');
    const out = await outFolder();
    const result = await exportAs(home, id, out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('记录 #3 的存档文件与采集时的哈希不再一致，请运行 station verify');
    expect(await exists(out)).toBe(false);
  });

  it('will not write into a folder that already holds something', async () => {
    const home = await freshHome();
    const id = await request(home, { decide: 'approve' });
    const out = await outFolder();
    await mkdir(out);
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    const result = await exportAs(home, id, out);
    expect(result.code).toBe(2);
    expect(await readdir(out)).toEqual(['keep.txt']);
  });
});
