import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEn } from '../src/i18n/cli-en.ts';
import { cliZhCN } from '../src/i18n/cli-zh-CN.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { insertRecording } from '../src/ledger/recordings.ts';
import { addUsersForEveryRole, tokenEnv } from './helpers/custody-fixtures.ts';
import { type CliResult, runStation, temporaryFolder } from './helpers/station-cli.ts';

// What may stand in a Chinese message: commands and options as typed, paths, placeholders and codes.
function englishSentences(text: string): string[] {
  const words = text
    .replace(/\bstation(?: [a-z-]+)+/g, '')
    .replace(/--?[a-z][a-z-]*/g, '')
    .replace(/(?:[\w.-]*\/)+[\w.-]*/g, '')
    .replace(/\{\w+\}/g, '');
  // Three words in a row, of two letters or more: a sentence someone forgot to translate.
  return words.match(/\b[A-Za-z][a-z]+(?:[ ,]+[A-Za-z][a-z]+){2,}\b/g) ?? [];
}

let folder: { path: string; remove(): Promise<void> };
let home: string;

const station = (args: string[], input?: string, env: Record<string, string> = {}): Promise<CliResult> =>
  runStation(args, { home, input, env: { LOG_LEVEL: 'error', ...env } });

beforeAll(async () => {
  folder = await temporaryFolder('cli-language');
  home = path.join(folder.path, 'home');
});

afterAll(async () => {
  await folder?.remove();
});

describe('the CLI in the station language (zh-CN by default)', () => {
  it('has a Chinese and an English message for every CLI message, and no English sentence in the Chinese', () => {
    expect(Object.keys(cliEn).sort()).toEqual(Object.keys(cliZhCN).sort());
    const untranslated = Object.entries(cliZhCN).filter(([, message]) => englishSentences(message).length);
    expect(untranslated).toEqual([]);
  });

  // Some fifty real CLI runs, each opening the station: slow on a loaded machine, not a timing check.
  it('prints no English sentence from any command, in tables, messages, help or usage errors', {
    timeout: 1_200_000,
  }, async () => {
    const recorder = path.join(folder.path, 'recorder');
    await mkdir(recorder, { recursive: true });
    const digestFile = path.join(folder.path, 'digest.json');
    const runs: [string[], string?][] = [
      [['--help']],
      [['officers', 'add', '--help']],
      [['users']],
      [['no-such-command']],
      [['officers', 'add', '--no-such-option']],
      [['officers', 'add', '--badge', '010001', '--name', '张三', '--unit', '一中队']],
      [['officers', 'list']],
      [['users', 'add', 'admin', '--role', 'admin', '--password-stdin'], 'a-long-password-1\n'],
      [['users', 'add', 'leader1', '--role', 'leader', '--password-stdin'], 'a-long-password-2\n'],
      [['users', 'passwd', 'admin', '--password-stdin'], 'a-long-password-4\n'],
      [['users', 'list']],
      [['users', 'add', 'x', '--role', 'nobody', '--password-stdin']],
      [['devices', 'assign', 'T000001', '--badge', '010001']],
      [['devices', 'assign', 'T000001', '--badge', '010001', '--from', 'yesterday']],
      [['devices', 'list']],
      [['ingest', recorder]],
      [['ingest', path.join(folder.path, 'missing')]],
      [['ledger']],
      [['docks']],
      [['drivers']],
      [['verify']],
      [['stats']],
      [['stats', '--month', 'May']],
      [['cases', 'add', 'A-1', '--type', '行政检查']],
      [['cases', 'list']],
      [['cases', 'show', 'A-1']],
      [['cases', 'close', 'A-1']],
      [['cases', 'show', 'B-2']],
      [['retention']],
      [['retention', 'proposals']],
      [['retention', 'propose', 'x', '--by', 'admin']],
      [['interruptions', 'list']],
      [['access', 'list']],
      [['access', 'request', '--purpose', 'training', '--mode', 'print', '--user', 'leader1']],
      [
        [
          'access',
          'request',
          '--recordings',
          '1',
          '--purpose',
          'gossip',
          '--mode',
          'view',
          '--reason',
          '核查',
          '--party',
          '法院',
          '--user',
          'leader1',
          '--password-stdin',
        ],
        'a-long-password-2\n',
      ],
      [['ledger', 'withdraw', '--help']],
      [['ledger', 'withdraw', '1', '--reason', '误点', '--by', 'leader1']],
      [
        ['ledger', 'withdraw', '1', '--reason', '误点', '--by', 'leader1', '--password-stdin'],
        'a-long-password-2\n',
      ],
      [
        ['users', 'add', 'ops1', '--role', 'ops', '--real-name', '李四', '--password-stdin'],
        'a-long-password-5\n',
      ],
      [['audit', 'digest']],
      [['audit', 'anchor', '--out', path.join(folder.path, 'anchors')]],
      [['audit', 'check', digestFile]],
      [['district', 'status']],
      [['demo', '--wait', 'soon']],
    ];
    const found: string[] = [];
    for (const [args, input] of runs) {
      if (args[0] === 'audit' && args[1] === 'check')
        await writeFile(digestFile, (await station(['audit', 'digest', '--json'])).stdout);
      const result = await station(args, input);
      for (const sentence of englishSentences(`${result.stdout}\n${result.stderr}`))
        found.push(`station ${args.join(' ')}: "${sentence}"`);
    }
    expect(found).toEqual([]);
  });

  it('says a setting it cannot use in the station language, and in English when configured so', {
    timeout: 300_000,
  }, async () => {
    const settings: [string, unknown][] = [
      ['months.json', { retention: { months: 5 } }],
      ['zone.json', { station: { timezone: 'Mars/Olympus' } }],
      ['type.json', { dock: { lowBatteryPercent: 'low' } }],
      ['tls.json', { http: { tls: { certFile: path.join(folder.path, 'none.pem'), keyFile: 'x' } } }],
    ];
    const said: string[] = [];
    for (const [name, setting] of settings) {
      const file = path.join(folder.path, name);
      await writeFile(file, JSON.stringify(setting));
      const result = await station(['officers', 'list'], undefined, { STATION_CONFIG: file });
      expect(result.code, result.stderr).toBe(2);
      said.push(result.stderr);
    }
    const broken = path.join(folder.path, 'broken.json');
    await writeFile(broken, '{"station": {');
    said.push((await station(['officers', 'list'], undefined, { STATION_CONFIG: broken })).stderr);
    expect(said).toEqual([
      expect.stringContaining('配置项“retention.months”须不小于 6；现为 5'),
      expect.stringContaining('配置项“station.timezone”：“Mars/Olympus”不是 IANA 时区名'),
      expect.stringContaining('配置项“dock.lowBatteryPercent”须为数字；现为 "low"'),
      expect.stringContaining('配置项“http.tls.certFile”：无法读取'),
      expect.stringContaining(`配置文件 ${broken} 不是有效的 JSON：`),
    ]);
    expect(said.flatMap(englishSentences)).toEqual([]);

    const english = path.join(folder.path, 'english-months.json');
    await writeFile(english, JSON.stringify({ station: { language: 'en' }, retention: { months: 5 } }));
    const inEnglish = await station(['officers', 'list'], undefined, { STATION_CONFIG: english });
    expect(inEnglish.stderr).toContain(
      'configuration key "retention.months": must be at least 6 (art. 24: at least 6 months); got 5',
    );
  });

  it('speaks English when the station is configured so', async () => {
    const config = path.join(folder.path, 'english.json');
    await writeFile(config, JSON.stringify({ station: { language: 'en' } }));
    const result = await runStation(['officers', 'list'], { home, env: { STATION_CONFIG: config } });
    expect(result.stdout).toMatch(/^Badge\s+Officer\s+Unit/);
    const help = await runStation(['--help'], { home, env: { STATION_CONFIG: config } });
    expect(help.stdout).toContain('Usage: station <command> [options]');
  });

  it('says the refusals of the custody rules in the station language, and in English when configured so', {
    timeout: 300_000,
  }, async () => {
    const refusalsHome = path.join(folder.path, 'refusals');
    await mkdir(refusalsHome, { recursive: true });
    const db = openDatabase(path.join(refusalsHome, 'station.db'));
    addUsersForEveryRole(db);
    insertRecording(db, {
      dockId: null,
      deviceId: null,
      sourcePath: 'VID_0001.mp4',
      sourceSize: 10,
      sourceMtime: null,
      sizeBytes: 10,
      sha256: '0'.repeat(64),
      duplicateOf: null,
      archivePath: '2026-11-26/010001/VID_0001.mp4',
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
      badge: '010001',
      officerName: null,
      ingestedAt: new Date().toISOString(),
      late: false,
      copiedAt: null,
      verifiedAt: null,
    });
    const tokens = Object.fromEntries(
      ['admin', 'leader', 'clerk', 'auditor', 'officer'].map((name) => [name, tokenEnv(db, name)]),
    );
    db.close();
    const as = (name: string, args: string[], env: Record<string, string> = {}) =>
      runStation(args, { home: refusalsHome, env: { LOG_LEVEL: 'error', ...tokens[name], ...env } });
    const request = (name: string) =>
      as(name, [
        'access',
        'request',
        '--recordings',
        '1',
        '--purpose',
        '信访',
        '--mode',
        'copy',
        '--user',
        name,
      ]);

    const byAdmin = await request('admin');
    const leaderRequest = (await request('leader')).stdout.trim();
    const ownApproval = await as('leader', ['access', 'approve', leaderRequest, '--by', 'leader']);
    const byClerk = await as('clerk', ['access', 'approve', leaderRequest, '--by', 'clerk']);
    const auditorRequest = (await request('auditor')).stdout.trim();
    expect((await as('leader', ['access', 'approve', auditorRequest, '--by', 'leader'])).code).toBe(0);
    const out = path.join(folder.path, 'refused-export');
    const byOfficer = await as('officer', ['export', auditorRequest, '--out', out, '--by', 'officer']);

    const refusals = { byAdmin, ownApproval, byClerk, byOfficer };
    for (const result of Object.values(refusals)) expect(result.code).toBe(1);
    expect(byAdmin.stderr).toContain('admin 是系统管理员');
    expect(ownApproval.stderr).toContain(`leader 是申请 #${leaderRequest} 的申请人，不能自己审批`);
    expect(byClerk.stderr).toContain('clerk（档案管理员）无权审批调阅申请');
    expect(byOfficer.stderr).toContain('officer 既不是申请人（auditor），也不是档案管理员');
    const found = Object.entries(refusals).flatMap(([name, result]) =>
      englishSentences(result.stderr).map((sentence) => `${name}: "${sentence}"`),
    );
    expect(found).toEqual([]);

    const config = path.join(folder.path, 'english-refusals.json');
    await writeFile(config, JSON.stringify({ station: { language: 'en' } }));
    const inEnglish = await as('leader', ['access', 'approve', leaderRequest, '--by', 'leader'], {
      STATION_CONFIG: config,
    });
    expect(inEnglish.code).toBe(1);
    expect(inEnglish.stderr).toContain(
      `leader requested #${leaderRequest} and may not decide it; another leader must`,
    );
  });
});
