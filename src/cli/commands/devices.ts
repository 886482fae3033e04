import { driverLabel, formatDateTime } from '../../i18n/format.ts';
import { assignDevice, listAssignments, listDevices } from '../../ledger/devices.ts';
import { parseUserTime } from '../../time/zone.ts';
import {
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  t,
  UsageError,
  withLedger,
} from '../command.ts';

export const deviceCommands: CliCommand[] = [
  {
    name: 'devices assign',
    summary: 'cli.summary.devices.assign',
    usage: 'station devices assign SERIAL --badge B [--from ISO] [--to ISO] [--json]',
    options: {
      badge: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const serial = args.positionals[0];
      if (!serial) throw new UsageError(t('cli.error.required', { what: 'SERIAL' }));
      return withLedger((station) => {
        const zone = station.config.station.timezone;
        const time = (name: string) => {
          const text = optionalString(args, name);
          if (text === undefined) return null;
          const instant = parseUserTime(text, zone);
          if (!instant) throw new UsageError(t('cli.error.dateOrTime', { option: `--${name}`, value: text }));
          return instant;
        };
        const assignment = assignDevice(
          station.db,
          {
            serial,
            badge: requireString(args, 'badge'),
            from: time('from') ?? station.clock.now(),
            to: time('to'),
          },
          station.clock.now(),
        );
        if (args.values.json) printJson(assignment, station.config.station.timezone);
        else
          print(
            t('cli.devices.assigned', {
              serial,
              name: assignment.officerName,
              badge: assignment.badge,
              from: formatDateTime(assignment.validFrom, zone),
            }),
          );
        return 0;
      });
    },
  },
  {
    name: 'devices list',
    summary: 'cli.summary.devices.list',
    usage: 'station devices list [--json]',
    options: { json: { type: 'boolean' } },
    run: (args) =>
      withLedger((station) => {
        const devices = listDevices(station.db).map((device) => ({
          ...device,
          assignments: listAssignments(station.db, device.serial),
        }));
        if (args.values.json) printJson(devices, station.config.station.timezone);
        else {
          const holder = (device: (typeof devices)[number]) => {
            const open = device.assignments.find((assignment) => !assignment.validTo);
            return open ? `${open.officerName} (${open.badge})` : '';
          };
          const zone = station.config.station.timezone;
          print(
            formatTable(
              [
                t('ledger.device'),
                t('dash.devices.model'),
                t('dash.devices.holder'),
                t('dash.devices.lastDock'),
              ],
              devices.map((device) => [
                device.serial,
                driverLabel(t, station.drivers, device.model ?? device.driver),
                holder(device) || t('common.unassigned'),
                formatDateTime(device.lastSeenAt, zone),
              ]),
            ),
          );
        }
        return 0;
      }),
  },
];
