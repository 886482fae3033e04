import type { ChildProcess } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderDockRoot } from '../src/dock/dock-service.ts';
import { type DockStage, dockStages } from '../src/dock/dock-session.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import { hashTree, invariantProblems, until, writeRecorderContent } from './helpers/fault-station.ts';
import { spawnStation, temporaryFolder } from './helpers/station-cli.ts';

// SIGKILL of `station serve` at each stage of a dock, then a start as systemd's Restart=on-failure
// would do it: the new process resumes from the database alone and finishes the dock exactly once.
// STATION_PAUSE_AT stops the first process dead at the stage, so the kill lands exactly there.
describe('station serve killed with SIGKILL at each stage and restarted by its supervisor', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let home: string;
  let env: Record<string, string>;
  let db: Db | null = null;
  let variant = 500;
  const running = new Set<ChildProcess>();

  const start = (extraEnv: Record<string, string> = {}) => {
    const child = spawnStation(['serve'], { home, env: { ...env, ...extraEnv } });
    const output = { stderr: '' };
    child.stderr?.on('data', (chunk) => {
      output.stderr += String(chunk);
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return { child, output };
  };
  const exited = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  const docksOf = (root: string) =>
    db!.prepare('SELECT id, state, reason FROM docks WHERE source_path = ? ORDER BY id').all(root) as {
      id: number;
      state: string;
      reason: string | null;
    }[];

  beforeAll(async () => {
    scratch = await temporaryFolder('fault-restart');
    home = path.join(scratch.path, 'home');
    const configFile = path.join(scratch.path, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        dock: { mountRoots: [path.join(scratch.path, 'media')], settleSeconds: 0 },
        ingest: { copyChunkBytes: 65536 },
        archive: { minFreeBytes: 1024 * 1024 },
        http: { port: 0 },
        log: { level: 'warn' },
      }),
    );
    env = { STATION_CONFIG: configFile };
  });

  afterAll(async () => {
    for (const child of running) {
      child.kill('SIGKILL');
      await exited(child);
    }
    db?.close();
    await scratch.remove();
  });

  it.each(dockStages.map((stage) => ({ stage })))(
    'killed at $stage: the restart closes the dock as interrupted and finishes the recorder exactly once',
    async ({ stage }: { stage: DockStage }) => {
      const name = `K${variant}`;
      const content = path.join(scratch.path, 'content', name);
      await writeRecorderContent(content, variant++);
      const before = await hashTree(content);

      const first = start({ STATION_PAUSE_AT: stage });
      await until(() => first.output.stderr.includes('no users yet'));
      db ??= openDatabase(path.join(home, 'station.db'));
      const root = path.join(folderDockRoot(home), name);
      await mkdir(path.dirname(root), { recursive: true });
      await rename(content, root);
      await until(() => first.output.stderr.includes(`paused at stage ${stage}`));
      first.child.kill('SIGKILL');
      expect((await exited(first.child)).signal).toBe('SIGKILL');
      expect(docksOf(root).map((dock) => dock.state)).not.toContain('done');

      // What the supervisor does: start it again, same home, no test switch.
      const second = start();
      await until(() => docksOf(root).some((dock) => dock.state === 'done'));
      const docks = docksOf(root);
      expect(docks[0]).toMatchObject({ state: 'interrupted', reason: 'station-stopped' });
      expect(docks.filter((dock) => dock.state === 'done')).toHaveLength(1);
      second.child.kill('SIGTERM');
      expect((await exited(second.child)).code).toBe(0);

      expect(await hashTree(root)).toEqual(before);
      // Taken away, so that the next cell's first start does not dock it again.
      await rename(root, path.join(scratch.path, 'content', `${name}-done`));
      const station = await openStation({ env: { STATION_HOME: home, ...env }, logger: silentLogger });
      try {
        expect(await invariantProblems(station)).toEqual([]);
        for (const sha256 of Object.values(before)) {
          const copies = station.db
            .prepare(
              'SELECT COUNT(*) FROM recordings WHERE sha256 = ? AND duplicate_of IS NULL AND archive_path IS NOT NULL',
            )
            .pluck()
            .get(sha256);
          expect(copies).toBe(1);
        }
      } finally {
        station.close();
      }
    },
  );
});
