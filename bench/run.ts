// `npm run bench` (which builds first): every benchmark in turn, each in its own process so one's memory
// is not another's.
// Pass names to run a subset: npm run bench -- ingest verify
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const all = ['startup', 'ingest', 'docks', 'verify', 'dashboard', 'district', 'speech'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = false;
for (const name of chosen) {
  const file = path.resolve('bench', `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name}`);
    failed = true;
    continue;
  }
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exitCode = failed ? 1 : 0;
