import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/users.ts';
import { findInterruptionItem } from '../src/compliance/interruptions.ts';
import { loadConfig } from '../src/config/config.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { saveOfficer } from '../src/ledger/officers.ts';
import { silentLogger } from '../src/log/logger.ts';
import { databaseFile, openStation } from '../src/station.ts';
import { archivedRecording, recordGap, shanghai } from './helpers/compliance-fixtures.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

// `station interruptions …` run as a child process against a station home whose gaps were recorded
// the way the dock daemon records them.

let folder: { path: string; remove(): Promise<void> };
let home: string;
let explainedLater: number;
let neverExplained: number;
// A command naming a person with --by proves it with that user's password on stdin.
const station = (...args: string[]) =>
  args.includes('--by')
    ? runStation([...args, '--password-stdin'], { home, input: 'a-long-password\n' })
    : runStation(args, { home });

interface ListJson {
  interruptions: { id: number; badge: string; explanation: string | null; acceptedAt: string | null }[];
}
const listed = async () =>
  parseJson<ListJson>(await station('interruptions', 'list', '--json')).interruptions;

/** The gap and its audit trail as the station's database holds them after a command. */
function readBack(id: number) {
  const db = openDatabase(databaseFile(home));
  try {
    return { item: findInterruptionItem(db, id), trail: auditTrail(db, 'interruption', id) };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  folder = await temporaryFolder('interruptions-cli');
  home = path.join(folder.path, 'home');
  const opened = await openStation({ config: loadConfig({ STATION_HOME: home }), logger: silentLogger });
  const at = (time: string) => archivedRecording(opened, { recordedAt: shanghai(time) });
  const [a, b, c] = [
    await at('2026-11-20 08:00'),
    await at('2026-11-20 08:10'),
    await at('2026-11-20 09:00'),
  ];
  explainedLater = recordGap(opened, { before: a, after: b, badge: '010001', detectedAt: new Date() });
  neverExplained = recordGap(opened, { before: b, after: c, badge: '010001', detectedAt: new Date() });
  const password = 'a-long-password';
  saveOfficer(opened.db, { badge: '010001', name: '张三' }, new Date());
  await addUser(opened.db, { name: '010001', role: 'officer', badge: '010001', password }, new Date());
  await addUser(opened.db, { name: 'clerk1', role: 'clerk', password }, new Date());
  opened.close();
});

afterAll(async () => {
  await folder?.remove();
});

describe('station interruptions', () => {
  it('lists the open gaps as JSON and as a table', async () => {
    const [items, table] = await Promise.all([listed(), station('interruptions', 'list')]);
    expect(items.map((item) => [item.id, item.explanation])).toEqual([
      [explainedLater, null],
      [neverExplained, null],
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('尚未说明');
    expect(table.stdout).toContain('2026-11-20 08:01:00');
  });

  it('records the explanation under the name given with --by, in the audit log', async () => {
    const result = await station(
      'interruptions',
      'explain',
      String(explainedLater),
      '--by',
      '010001',
      '--text',
      '电池耗尽',
    );
    expect(result.code).toBe(0);
    const { item, trail } = readBack(explainedLater);
    expect(item).toMatchObject({ explanation: '电池耗尽', explainedBy: '010001' });
    expect(trail).toEqual([expect.objectContaining({ actor: '010001', action: 'interruption-explained' })]);
  });

  it('refuses to accept a gap nobody explained, and accepts an explained one', async () => {
    const refused = await station('interruptions', 'accept', String(neverExplained), '--by', 'clerk1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('没有可认可的情况说明');
    expect((await station('interruptions', 'accept', String(explainedLater), '--by', 'clerk1')).code).toBe(0);
    expect(readBack(explainedLater).item).toMatchObject({ acceptedBy: 'clerk1' });
    expect(readBack(neverExplained).item).toMatchObject({ acceptedAt: null });
  });

  it('answers bad usage with exit code 2: a missing --by, an id that is not a number, an unknown gap', async () => {
    // Read-only refusals, so they run side by side.
    const [noActor, notNumber, unknown] = await Promise.all([
      station('interruptions', 'explain', String(neverExplained), '--text', 'x'),
      station('interruptions', 'accept', 'seven', '--by', 'clerk1'),
      station('interruptions', 'explain', '999', '--by', '010001', '--text', 'x'),
    ]);
    expect([noActor.code, notNumber.code, unknown.code]).toEqual([2, 2, 2]);
    expect(noActor.stderr).toContain('缺少 --by');
    expect(unknown.stderr).toContain('没有中断记录 #999');
  });
});
