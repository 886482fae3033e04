import { readFileSync } from 'node:fs';
import {
  configuredAnchorSources,
  folderAnchorSource,
  formatAnchor,
  writeAnchors,
} from '../../custody/audit-anchors.ts';
import { auditDigest, formatDigest, matchesDigest } from '../../custody/audit-digest.ts';
import {
  CheckFailed,
  type CliCommand,
  optionalString,
  print,
  printJson,
  t,
  UsageError,
  withLedger,
} from '../command.ts';

export const auditCommands: CliCommand[] = [
  {
    name: 'audit anchor',
    summary: 'cli.summary.audit.anchor',
    usage: 'station audit anchor [--out FOLDER] [--json]',
    options: { out: { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      const out = optionalString(args, 'out');
      return withLedger(async (station) => {
        const sources = out
          ? [folderAnchorSource(out, station.config.station.language)]
          : configuredAnchorSources(station.config).filter((source) => source.write);
        if (sources.length === 0) throw new UsageError(t('cli.audit.noAnchorFolder'));
        const anchor = await writeAnchors(station.db, sources, station.clock.now());
        if (!anchor) throw new CheckFailed(t('cli.audit.empty'));
        if (args.values.json) printJson(anchor);
        else
          print(
            `${formatAnchor(anchor, t)}\n${t('cli.audit.writtenTo', { sources: sources.map((source) => source.name).join(', ') })}`,
          );
        return 0;
      });
    },
  },
  {
    name: 'audit digest',
    summary: 'cli.summary.audit.digest',
    usage: 'station audit digest [--date YYYY-MM-DD] [--json]',
    options: { date: { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      const date = optionalString(args, 'date');
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new UsageError(t('cli.error.date', { option: '--date', value: date }));
      return withLedger((station) => {
        const digest = auditDigest(station.db, {
          date,
          zone: station.config.station.timezone,
          now: station.clock.now(),
        });
        if (args.values.json) printJson(digest, station.config.station.timezone);
        else print(formatDigest(digest, t));
        return 0;
      });
    },
  },
  {
    name: 'audit check',
    summary: 'cli.summary.audit.check',
    usage: 'station audit check DIGEST.json',
    async run(args) {
      const file = args.positionals[0];
      if (!file) throw new UsageError(t('cli.error.required', { what: 'DIGEST.json' }));
      const digest = readDigest(file);
      return withLedger((station) => {
        if (!matchesDigest(station.db, digest)) {
          throw new CheckFailed(
            t('cli.audit.rewritten', {
              id: digest.headId ?? '-',
              hash: digest.headHash ?? '-',
              date: digest.date,
            }),
          );
        }
        print(t('cli.audit.stillHolds', { date: digest.date, id: digest.headId ?? '-' }));
        return 0;
      });
    },
  },
];

function readDigest(file: string): { date: string; headId: number | null; headHash: string | null } {
  try {
    const digest = JSON.parse(readFileSync(file, 'utf8'));
    if (digest.headId === null || (Number.isInteger(digest.headId) && typeof digest.headHash === 'string'))
      return digest;
  } catch (error) {
    throw new UsageError(t('cli.error.cannotRead', { file, detail: (error as Error).message }));
  }
  throw new UsageError(t('cli.audit.notDigest', { file }));
}
