import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './helpers/station-cli.ts';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts', 'district-services.sh');
const needed = ['/usr/bin/ceph-mon', '/usr/bin/ceph-osd', '/usr/bin/radosgw'];

// Starting Ceph and PostgreSQL takes seconds; a run of other test files alone does not pay for it.
function districtTestsSelected(): boolean {
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-') && arg !== 'run');
  return filters.length === 0 || filters.some((filter) => filter.includes('district'));
}

/**
 * Starts one throwaway Ceph (mon, memstore OSD, radosgw) and one PostgreSQL for the whole run and hands
 * their endpoints to the tests in DISTRICT_* variables; stops both at the end. Without the packages,
 * district tests skip locally (DISTRICT_SERVICES_UNAVAILABLE says why) and fail on CI.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DISTRICT_S3_ENDPOINT || !districtTestsSelected()) return undefined;
  const missing = needed.filter((file) => !existsSync(file));
  if (!existsSync('/usr/lib/postgresql')) missing.push('postgresql');
  if (missing.length) {
    process.env.DISTRICT_SERVICES_UNAVAILABLE = `missing ${missing.join(', ')}: run scripts/setup.sh`;
    return undefined;
  }
  // Ceph's first start sometimes loses a race between its daemons (seen on a loaded machine): each
  // try starts afresh in its own folder, and only the last failure is reported.
  let dir = '';
  for (let attempt = 1; ; attempt++) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bwc-district-services-'));
    try {
      await run(script, ['start', dir], { timeout: 240_000 });
      for (const line of (await readFile(path.join(dir, 'env'), 'utf8')).split('\n')) {
        const at = line.indexOf('=');
        if (at > 0) process.env[line.slice(0, at)] = line.slice(at + 1);
      }
      break;
    } catch (error) {
      await run(script, ['stop', dir]).catch(() => {});
      if (attempt < 3) continue;
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      const detail = [stderr, stdout, (error as Error).message].filter(Boolean).join('\n');
      process.env.DISTRICT_SERVICES_UNAVAILABLE = `district services did not start: ${detail.trim()}`;
      return undefined;
    }
  }
  return async () => {
    await run(script, ['stop', dir], { timeout: 60_000 });
  };
}
