import { listOfficers, saveOfficer } from '../../ledger/officers.ts';
import { openStation } from '../../station.ts';
import { type CliCommand, formatTable, optionalString, print, printJson, requireString } from '../command.ts';

export const officerCommands: CliCommand[] = [
  {
    name: 'officers add',
    summary: 'Add an officer (or update name/unit of an existing badge)',
    usage: 'station officers add --badge B --name N [--unit U] [--json]',
    options: {
      badge: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const station = await openStation();
      try {
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
        else print(`officer ${officer.name} (${officer.badge}) saved`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'officers list',
    summary: 'List officers',
    usage: 'station officers list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const officers = listOfficers(station.db);
        if (args.values.json) printJson(officers, station.config.station.timezone);
        else
          print(
            formatTable(
              ['badge', 'name', 'unit'],
              officers.map((o) => [o.badge, o.name, o.unit ?? '']),
            ),
          );
        return 0;
      } finally {
        station.close();
      }
    },
  },
];
