import { readFileSync } from 'node:fs';
import {
  configuredAnchorSources,
  folderAnchorSource,
  formatAnchor,
  writeAnchors,
} from '../../custody/audit-anchors.ts';
import { auditDigest, formatDigest, matchesDigest } from '../../custody/audit-digest.ts';
import { openStation } from '../../station.ts';
import {
  CheckFailed,
  type CliCommand,
  cliText,
  optionalString,
  print,
  printJson,
  UsageError,
} from '../command.ts';

export const auditCommands: CliCommand[] = [
  {
    name: 'audit anchor',
    summary:
      'Write the audit chain head now to every configured anchor folder (audit.anchorFolders) or --out, and print it',
    usage: 'station audit anchor [--out FOLDER] [--json]',
    options: { out: { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      const out = optionalString(args, 'out');
      const station = await openStation();
      try {
        const sources = out
          ? [folderAnchorSource(out)]
          : configuredAnchorSources(station.config).filter((source) => source.write);
        if (sources.length === 0)
          throw new UsageError('no anchor folder: set audit.anchorFolders in the config or give --out');
        const anchor = await writeAnchors(station.db, sources, station.clock.now());
        if (!anchor) throw new CheckFailed('the audit log is empty');
        if (args.values.json) printJson(anchor);
        else print(`${formatAnchor(anchor)}\nwritten to: ${sources.map((source) => source.name).join(', ')}`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'audit digest',
    summary: 'Print the audit chain head at the end of a day, to be kept outside the station',
    usage: 'station audit digest [--date YYYY-MM-DD] [--json]',
    options: { date: { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      const date = optionalString(args, 'date');
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new UsageError('--date must be YYYY-MM-DD');
      const station = await openStation();
      try {
        const digest = auditDigest(station.db, {
          date,
          zone: station.config.station.timezone,
          now: station.clock.now(),
        });
        if (args.values.json) printJson(digest, station.config.station.timezone);
        else print(formatDigest(digest, cliText(station.config)));
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'audit check',
    summary: 'Check that the audit log still holds the head a digest (saved with --json) recorded',
    usage: 'station audit check DIGEST.json',
    async run(args) {
      const file = args.positionals[0];
      if (!file) throw new UsageError('DIGEST.json is required');
      const digest = readDigest(file);
      const station = await openStation();
      try {
        if (!matchesDigest(station.db, digest)) {
          throw new CheckFailed(
            `audit entry #${digest.headId} no longer has hash ${digest.headHash}: entries up to the ${digest.date} digest were removed or rewritten`,
          );
        }
        print(`audit log still holds the ${digest.date} head #${digest.headId ?? '-'}`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
];

function readDigest(file: string): { date: string; headId: number | null; headHash: string | null } {
  try {
    const digest = JSON.parse(readFileSync(file, 'utf8'));
    if (digest.headId === null || (Number.isInteger(digest.headId) && typeof digest.headHash === 'string'))
      return digest;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  throw new UsageError(`${file} is not a digest printed by station audit digest --json`);
}
