// One measured ingest, in its own process so its peak RSS is its own.

import { dockFolder } from '../src/dock/dock-session.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStation } from '../src/station.ts';

const station = await openStation({ logger: silentLogger });
const started = process.hrtime.bigint();
const report = await dockFolder(station, { sourceRoot: process.argv[2], origin: 'bench' });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
station.close();
if (report.state !== 'done') throw new Error(`ingest ended ${report.state}: ${report.stoppedReason}`);
console.log(
  JSON.stringify({
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    recordings: report.recordings.length,
  }),
);
