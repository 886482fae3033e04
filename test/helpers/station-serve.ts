import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../src/ledger/database.ts';
import { spawnStation } from './station-cli.ts';
import { until } from './until.ts';

// The real daemon, `station serve`, as a child process of a test: started in a scratch folder whose
// config docks what is mounted below <scratch>/media, killed or stopped by the test, and always
// killed at the end so that no daemon outlives its test file.

export interface ServeRun {
  child: ChildProcess;
  /** Everything it has written to stderr so far. */
  readonly stderr: string;
  /** Resolves once start-up is done: the last thing it does is ask for its first administrator (at /setup). */
  started(): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class ServeStation {
  readonly home: string;
  readonly env: Record<string, string>;
  /** Where the config looks for mounted recorders. */
  readonly mediaRoot: string;
  private readonly running = new Set<ServeRun>();

  private constructor(scratch: string) {
    this.home = path.join(scratch, 'home');
    this.mediaRoot = path.join(scratch, 'media');
    this.env = { STATION_CONFIG: path.join(scratch, 'config.json') };
  }

  /** Writes the config (small copy chunks, so a kill lands mid-copy; any free HTTP port). */
  static async create(scratch: string, config: Record<string, unknown> = {}): Promise<ServeStation> {
    const station = new ServeStation(scratch);
    await writeFile(
      station.env.STATION_CONFIG,
      JSON.stringify({
        // Tests dock simulated recorders, a family only tests and the demo load.
        dock: { mountRoots: [station.mediaRoot], settleSeconds: 0, simulatedRecorders: true },
        ingest: { copyChunkBytes: 65536 },
        http: { port: 0 },
        log: { level: 'warn' },
        ...config,
      }),
    );
    return station;
  }

  start(extraEnv: Record<string, string> = {}): ServeRun {
    const child = spawnStation(['serve'], { home: this.home, env: { ...this.env, ...extraEnv } });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const run: ServeRun = {
      child,
      get stderr() {
        return stderr;
      },
      started: async () => {
        await until(() => stderr.includes('/setup') || child.exitCode !== null, { timeoutMs: 120_000 });
        if (child.exitCode !== null) throw new Error(`station serve exited ${child.exitCode}:\n${stderr}`);
      },
      exited: () => ended,
    };
    this.running.add(run);
    void ended.then(() => this.running.delete(run));
    return run;
  }

  /** Docks of one mount point or folder, oldest first, as the daemon recorded them. */
  docksOf(db: Db, root: string): { id: number; state: string; reason: string | null }[] {
    return db.prepare('SELECT id, state, reason FROM docks WHERE source_path = ? ORDER BY id').all(root) as {
      id: number;
      state: string;
      reason: string | null;
    }[];
  }

  /** For afterAll: SIGKILL to every run still going, and waits for each to be gone. */
  async killAll(): Promise<void> {
    for (const run of [...this.running]) {
      run.child.kill('SIGKILL');
      await run.exited();
    }
  }
}
