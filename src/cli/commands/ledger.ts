import {
  ledgerCells,
  ledgerCsv,
  ledgerHeader,
  ledgerTotal,
  terminalColumns,
} from '../../ledger/ledger-csv.ts';
import { publicRecording } from '../../ledger/public-recording.ts';
import { listRecordings } from '../../ledger/recordings.ts';
import {
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  t,
  UsageError,
  withStation,
} from '../command.ts';

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function dateOption(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!datePattern.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(t('cli.error.date', { option: `--${name}`, value }));
  }
  return value;
}

export const ledgerCommand: CliCommand = {
  name: 'ledger',
  summary: 'cli.summary.ledger',
  usage: 'station ledger [--badge B] [--device SERIAL] [--from DATE] [--to DATE] [--json | --csv]',
  options: {
    badge: { type: 'string' },
    device: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
  },
  async run(args) {
    if (args.values.json && args.values.csv) throw new UsageError(t('cli.error.jsonOrCsv'));
    const filter = {
      badge: optionalString(args, 'badge'),
      deviceSerial: optionalString(args, 'device'),
      fromDate: dateOption(optionalString(args, 'from'), 'from'),
      toDate: dateOption(optionalString(args, 'to'), 'to'),
    };
    return withStation(async (station) => {
      const recordings = listRecordings(station.db, filter);
      const language = station.config.station.language;
      const zone = station.config.station.timezone;
      if (args.values.json)
        printJson(
          { recordings: recordings.map((recording) => publicRecording(recording, zone)) },
          station.config.station.timezone,
        );
      else if (args.values.csv) process.stdout.write(ledgerCsv(recordings, language, zone));
      else {
        const header = ledgerHeader(language).slice(0, terminalColumns);
        const rows = recordings.map((recording) =>
          ledgerCells(recording, language, zone).slice(0, terminalColumns),
        );
        print(`${formatTable(header, rows)}\n${ledgerTotal(recordings.length, language)}`);
      }
      return 0;
    });
  },
};
