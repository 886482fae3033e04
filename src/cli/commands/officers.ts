import { listOfficers, saveOfficer } from '../../ledger/officers.ts';
import {
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  t,
  withLedger,
} from '../command.ts';

export const officerCommands: CliCommand[] = [
  {
    name: 'officers add',
    summary: 'cli.summary.officers.add',
    usage: 'station officers add --badge B --name N [--unit U] [--json]',
    options: {
      badge: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      json: { type: 'boolean' },
    },
    run: (args) =>
      withLedger((station) => {
        const officer = saveOfficer(
          station.db,
          {
            badge: requireString(args, 'badge'),
            name: requireString(args, 'name'),
            unit: optionalString(args, 'unit'),
          },
          station.clock.now(),
        );
        if (args.values.json) printJson(officer, station.config.station.timezone);
        else print(t('cli.officers.saved', { name: officer.name, badge: officer.badge }));
        return 0;
      }),
  },
  {
    name: 'officers list',
    summary: 'cli.summary.officers.list',
    usage: 'station officers list [--json]',
    options: { json: { type: 'boolean' } },
    run: (args) =>
      withLedger((station) => {
        const officers = listOfficers(station.db);
        if (args.values.json) printJson(officers, station.config.station.timezone);
        else
          print(
            formatTable(
              [t('ledger.badge'), t('ledger.officerName'), t('cli.officers.unit')],
              officers.map((officer) => [officer.badge, officer.name, officer.unit ?? '']),
            ),
          );
        return 0;
      }),
  },
];
