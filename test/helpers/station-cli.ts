import { execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Tests run the build that users run (bin/station.js → dist/, made by `npm test` first) when it is newer
// than every source file; otherwise, as in a single test run while editing, the TypeScript sources
// through tsx, so a test never meets a stale build. tsx costs about half a second per command.
const cliSource = path.join(repoRoot, 'src', 'cli', 'main.ts');
const cliBuild = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function newestChange(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const entryPath = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(entryPath) : statSync(entryPath).mtimeMs);
  }
  return newest;
}

function buildIsCurrent(): boolean {
  try {
    const built = statSync(cliBuild).mtimeMs;
    return (
      built > newestChange(path.join(repoRoot, 'src')) && built > newestChange(path.join(repoRoot, 'drivers'))
    );
  } catch {
    return false;
  }
}

export const stationCommand = buildIsCurrent()
  ? ([process.execPath, path.join(repoRoot, 'bin', 'station.js')] as const)
  : ([process.execPath, '--import', 'tsx', cliSource] as const);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `station` command as a child process, as a user or script would. */
export function runStation(
  args: string[],
  options: { home: string; env?: Record<string, string>; input?: string } = { home: '' },
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      stationCommand[0],
      [...stationCommand.slice(1), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, STATION_HOME: options.home, LOG_LEVEL: 'warn', ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Starts `station` without waiting, for tests that kill it mid-way. */
export function spawnStation(args: string[], options: { home: string; env?: Record<string, string> }) {
  return spawn(stationCommand[0], [...stationCommand.slice(1), ...args], {
    cwd: repoRoot,
    env: { ...process.env, STATION_HOME: options.home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function temporaryFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), `bwc-${prefix}-`));
  return { path: folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
