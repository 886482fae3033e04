import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderDockRoot } from '../src/dock/dock-service.ts';
import { type DockStage, dockStages } from '../src/dock/dock-session.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';
import {
  archivedCopies,
  hashTree,
  invariantProblems,
  writeRecorderContent,
} from './helpers/fault-station.ts';
import { temporaryFolder } from './helpers/station-cli.ts';
import { ServeStation } from './helpers/station-serve.ts';
import { until } from './helpers/until.ts';

// SIGKILL of `station serve` at each stage of a dock, then a start as systemd's Restart=on-failure
// would do it: the new process resumes from the database alone and finishes the dock exactly once.
// STATION_PAUSE_AT stops the first process dead at the stage, so the kill lands exactly there.
describe('station serve killed with SIGKILL at each stage and restarted by its supervisor', () => {
  let scratch: { path: string; remove(): Promise<void> };
  let serve: ServeStation;
  let db: Db | null = null;
  let variant = 500;
  const docksOf = (root: string) => serve.docksOf(db!, root);

  beforeAll(async () => {
    scratch = await temporaryFolder('fault-restart');
    serve = await ServeStation.create(scratch.path, { archive: { minFreeBytes: 1024 * 1024 } });
  });

  afterAll(async () => {
    await serve?.killAll();
    db?.close();
    await scratch?.remove();
  });

  it.each(dockStages.map((stage) => ({ stage })))(
    'killed at $stage: the restart closes the dock as interrupted and finishes the recorder exactly once',
    async ({ stage }: { stage: DockStage }) => {
      const name = `K${variant}`;
      const content = path.join(scratch.path, 'content', name);
      await writeRecorderContent(content, variant++);
      const before = await hashTree(content);

      const first = serve.start({ STATION_PAUSE_AT: stage });
      await first.started();
      db ??= openDatabase(path.join(serve.home, 'station.db'));
      const root = path.join(folderDockRoot(serve.home), name);
      await mkdir(path.dirname(root), { recursive: true });
      await rename(content, root);
      await until(() => first.stderr.includes(`paused at stage ${stage}`));
      first.child.kill('SIGKILL');
      expect((await first.exited()).signal).toBe('SIGKILL');
      expect(docksOf(root).map((dock) => dock.state)).not.toContain('done');

      // What the supervisor does: start it again, same home, no test switch.
      const second = serve.start();
      await until(() => docksOf(root).some((dock) => dock.state === 'done'));
      const docks = docksOf(root);
      expect(docks[0]).toMatchObject({ state: 'interrupted', reason: 'station-stopped' });
      expect(docks.filter((dock) => dock.state === 'done')).toHaveLength(1);
      second.child.kill('SIGTERM');
      expect((await second.exited()).code).toBe(0);

      expect(await hashTree(root)).toEqual(before);
      // Taken away, so that the next cell's first start does not dock it again.
      await rename(root, path.join(scratch.path, 'content', `${name}-done`));
      const station = await openStation({
        env: { STATION_HOME: serve.home, ...serve.env },
        logger: silentLogger,
      });
      try {
        expect(await invariantProblems(station)).toEqual([]);
        expect(archivedCopies(station, Object.values(before))).toEqual(Object.values(before).map(() => 1));
      } finally {
        station.close();
      }
    },
  );
});
