import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/auth/users.ts';
import { openDatabase } from '../src/ledger/database.ts';
import { databaseFile } from '../src/station.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

let folder: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  folder = await temporaryFolder('users-cli');
});

afterAll(async () => {
  await folder?.remove();
});

describe('station users', () => {
  it('adds the first admin with the password from stdin, stored only as a scrypt hash', async () => {
    const added = await runStation(['users', 'add', '管理员', '--role', 'admin', '--password-stdin'], {
      home: folder.path,
      input: 'correct horse battery\n',
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('管理员');
    const db = openDatabase(databaseFile(folder.path));
    const stored = db
      .prepare("SELECT password_hash FROM users WHERE name = '管理员'")
      .pluck()
      .get() as string;
    expect(stored.startsWith('scrypt$')).toBe(true);
    expect(stored).not.toContain('correct horse');
    expect(await authenticate(db, '管理员', 'correct horse battery')).toMatchObject({ role: 'admin' });
    expect(await authenticate(db, '管理员', 'wrong password')).toBeNull();
    db.close();
  });

  it('lists users as a table and as JSON without any password hash', async () => {
    // An officer account is its officer's: the badge is on a 执法人员 record first.
    await runStation(['officers', 'add', '--badge', '010001', '--name', '张三'], { home: folder.path });
    await runStation(
      ['users', 'add', 'zhang', '--role', 'officer', '--badge', '010001', '--password-stdin'],
      {
        home: folder.path,
        input: 'officer-password',
      },
    );
    const table = await runStation(['users', 'list'], { home: folder.path });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/zhang\s+张三\s+执法人员\s+010001/);
    const json = await runStation(['users', 'list', '--json'], { home: folder.path });
    const users = parseJson<{ name: string; role: string; badge: string | null }[]>(json);
    expect(users.map((user) => [user.name, user.role, user.badge])).toEqual([
      ['zhang', 'officer', '010001'],
      ['管理员', 'admin', null],
    ]);
    expect(json.stdout).not.toContain('scrypt');
  });

  it('keeps the real name given with --real-name, and shows it in the list', async () => {
    const added = await runStation(
      ['users', 'add', 'li', '--role', 'ops', '--real-name', '李四', '--password-stdin', '--json'],
      { home: folder.path, input: 'ops-password-long' },
    );
    expect(added.code, added.stderr).toBe(0);
    expect(parseJson<{ realName: string }>(added).realName).toBe('李四');
    const table = await runStation(['users', 'list'], { home: folder.path });
    expect(table.stdout).toMatch(/li\s+李四\s+综合办公室/);
    // An officer's name is the one on their 执法人员 record: another one is refused, beside the reason.
    const wrongName = await runStation(
      [
        'users',
        'add',
        'zhang2',
        '--role',
        'officer',
        '--badge',
        '010001',
        '--real-name',
        '王五',
        '--password-stdin',
      ],
      { home: folder.path, input: 'officer-password-2' },
    );
    expect(wrongName.code).toBe(2);
    expect(wrongName.stderr).toContain('执法证号 010001 登记的执法人员是“张三”');
  });

  it('names the commands of a group given alone, with exit code 2', async () => {
    const alone = await runStation(['users'], { home: folder.path });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('station users add NAME');
    expect(alone.stderr).toContain('station users list');
  });

  it('refuses bad usage with exit code 2: unknown role, no --password-stdin, a name already taken', async () => {
    const cases: [string[], string][] = [
      [['users', 'add', 'a', '--role', 'boss', '--password-stdin'], 'long enough password'],
      [['users', 'add', 'b', '--role', 'clerk'], 'long enough password'],
      [['users', 'add', 'zhang', '--role', 'clerk', '--password-stdin'], 'long enough password'],
    ];
    for (const [args, input] of cases) {
      const result = await runStation(args, { home: folder.path, input });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain('station users add');
    }
  });
});
