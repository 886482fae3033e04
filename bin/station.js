#!/usr/bin/env node
// Runs the compiled station in dist/, which `npm run build` makes (`npm ci` runs it through `prepare`),
// so no TypeScript compiler runs at start-up.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('station: not built yet; run `npm run build` (npm ci runs it)\n');
  process.exit(2);
}
await import(main.href);
