import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Drops the page cache so the next read comes from disk; needs root, otherwise says so. */
export function dropCaches(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/** Incompressible data, so no layer below can cheat by compressing or deduplicating it. */
export async function writeNoiseFile(file: string, mebibytes: number, seed: number): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  let state = seed >>> 0 || 1;
  for (let block = 0; block < mebibytes; block++) {
    for (let offset = 0; offset < chunk.length; offset += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk.writeUInt32LE(state >>> 0, offset);
    }
    await handle.write(chunk);
  }
  await handle.close();
}

/** Wall-clock seconds of a shell command. */
export function timeShell(script: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`baseline failed: ${script}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function mibPerSecond(bytes: number, seconds: number): string {
  return (bytes / 1024 / 1024 / seconds).toFixed(0);
}
