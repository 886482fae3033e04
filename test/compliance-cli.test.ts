import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/users.ts';
import { addDays, addMonths } from '../src/compliance/calendar.ts';
import { makeSampleRecorder } from '../src/footage/generate.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { databaseFile } from '../src/station.ts';
import { localDateIn } from '../src/time/zone.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

// The stable CLI surface of the compliance engine, run as a user would: real footage, real ingest,
// the real `station` binary against one station home.

const zone = 'Asia/Shanghai';
let folder: { path: string; remove(): Promise<void> };
let home: string;
// A command naming a person with --by proves it with that user's password on stdin.
const station = (...args: string[]) =>
  args.includes('--by')
    ? runStation([...args, '--password-stdin'], { home, input: 'a-long-password\n' })
    : runStation(args, { home });

interface RetentionItem {
  id: number;
  sha256: string;
  retentionEnd: string | null;
  reason: string;
}
interface RetentionJson {
  due: RetentionItem[];
  expiring: RetentionItem[];
  held: RetentionItem[];
}

const today = () => localDateIn(new Date(), zone);
// Recorded about ten months ago: past its six months whatever day the suite runs.
const recordedAt = new Date(Date.now() - 300 * 86_400_000);

beforeAll(async () => {
  folder = await temporaryFolder('compliance-cli');
  home = path.join(folder.path, 'home');
  const volume = path.join(folder.path, 'recorder');
  await makeSampleRecorder(volume, {
    serial: 'A123456',
    badge: '010001',
    start: recordedAt,
    segments: 1,
    segmentSeconds: 2,
    timezone: zone,
    video: { width: 320, height: 240 },
  });
  expect((await station('officers', 'add', '--badge', '010001', '--name', '张三')).code).toBe(0);
  expect((await station('ingest', volume, '--json')).code).toBe(0);
  // The reviewers are written straight into the station's database; `station users add` has its own tests.
  const db = openDatabase(databaseFile(home));
  await addUser(db, { name: 'ops1', role: 'ops', password: 'a-long-password' }, new Date());
  await addUser(db, { name: 'leader1', role: 'leader', password: 'a-long-password' }, new Date());
  db.close();
});

afterAll(async () => {
  await folder?.remove();
});

describe('station retention', () => {
  it('lists recordings past six months as due, with id, sha256, retentionEnd and reason', async () => {
    const review = parseJson<RetentionJson>(await station('retention', '--json'));
    const recordedOn = localDateIn(recordedAt, zone);
    expect(review.due).toHaveLength(3);
    expect(review.due[0]).toMatchObject({ retentionEnd: addMonths(recordedOn, 6), reason: 'recorded' });
    expect(review.due[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(review.expiring).toEqual([]);
    expect(review.held).toEqual([]);
    const earlier = parseJson<RetentionJson>(
      await station('retention', '--as-of', addDays(addMonths(recordedOn, 6), -10), '--json'),
    );
    expect(earlier.due).toEqual([]);
    expect(earlier.expiring.map((item) => item.id)).toEqual(review.due.map((item) => item.id));
  });

  it('refuses a malformed --as-of with exit code 2', async () => {
    expect((await station('retention', '--as-of', 'yesterday')).code).toBe(2);
  });
});

describe('station cases', () => {
  it('adds a case, links a recording at a stage, serves it and shows it', async () => {
    expect((await station('cases', 'add', '丰执罚〔2026〕3号', '--type', '行政处罚')).code).toBe(0);
    expect((await station('cases', 'link', '丰执罚〔2026〕3号', '1', '--stage', '调查取证')).code).toBe(0);
    const openCase = parseJson<RetentionJson>(await station('retention', '--json'));
    expect(openCase.held).toEqual([
      expect.objectContaining({ id: 1, retentionEnd: null, reason: 'open-case' }),
    ]);
    expect((await station('cases', 'serve', '丰执罚〔2026〕3号', '--date', today())).code).toBe(0);
    const shown = parseJson<{
      number: string;
      servedAt: string;
      recordings: { id: number; stage: string }[];
    }>(await station('cases', 'show', '丰执罚〔2026〕3号', '--json'));
    expect(shown).toMatchObject({ number: '丰执罚〔2026〕3号', recordings: [{ id: 1, stage: '调查取证' }] });
    const served = parseJson<RetentionJson>(await station('retention', '--json'));
    expect(served.due.map((item) => item.id)).not.toContain(1);
    const later = parseJson<RetentionJson>(
      await station('retention', '--as-of', addDays(addMonths(today(), 6), 1), '--json'),
    );
    expect(later.due.find((item) => item.id === 1)).toMatchObject({
      retentionEnd: addMonths(today(), 6),
      reason: 'case-served',
    });
  });

  it('refuses an unknown enforcement type, stage or activity with exit code 2', async () => {
    expect((await station('cases', 'add', 'X-1', '--type', '罚款')).code).toBe(2);
    expect((await station('cases', 'link', '丰执罚〔2026〕3号', '2', '--stage', '审批')).code).toBe(2);
    expect((await station('cases', 'tag', '2', '--activity', 'parade')).code).toBe(2);
  });
});

describe('deletion from the command line', () => {
  it('refuses a held recording and the wrong role with exit code 1, and takes ops then leader', async () => {
    expect((await station('retention', 'hold', '2', '--kind', 'evidence')).code).toBe(0);
    const held = await station('retention', 'propose', '2', '--by', 'ops1');
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/须长期保存：已被保全/);
    expect((await station('retention', 'propose', '3', '--by', 'leader1')).code).toBe(1);
    expect((await station('retention', 'propose', '3', '--by', 'ops1', '--reason', '保存期满')).code).toBe(0);
    expect((await station('retention', 'approve', '3', '--by', 'leader1')).code).toBe(0);
    // The grace period has only just begun: nothing is removed yet.
    expect(parseJson(await station('retention', 'purge', '--json'))).toEqual({ deleted: [], withdrawn: [] });
    const { proposals } = parseJson<{ proposals: { recordingId: number; state: string }[] }>(
      await station('retention', 'proposals', '--json'),
    );
    expect(proposals).toEqual([expect.objectContaining({ recordingId: 3, state: 'approved' })]);
  });
});

describe('station stats', () => {
  it('reports per officer for a month as JSON and writes the XLSX report', async () => {
    const month = localDateIn(recordedAt, zone).slice(0, 7);
    const stats = parseJson<{ month: string; officers: Record<string, unknown>[] }>(
      await station('stats', '--month', month, '--json'),
    );
    expect(stats.month).toBe(month);
    expect(stats.officers).toEqual([
      expect.objectContaining({
        badge: '010001',
        recordings: 3,
        lateExports: 3,
        unconfirmedRows: 3,
        damagedRecordings: 0,
      }),
    ]);
    const file = path.join(folder.path, 'monthly.xlsx');
    expect((await station('stats', '--month', month, '--xlsx', file)).code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a month that is not YYYY-MM with exit code 2', async () => {
    expect((await station('stats', '--month', '2026-13')).code).toBe(2);
  });
});
