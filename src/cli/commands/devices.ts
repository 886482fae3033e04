import { driverLabel, formatDateTime } from '../../i18n/format.ts';
import { assignDevice, listAssignments, listDevices } from '../../ledger/devices.ts';
import { openStation } from '../../station.ts';
import { parseUserTime } from '../../time/zone.ts';
import {
  type CliCommand,
  cliText,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  UsageError,
} from '../command.ts';

export const deviceCommands: CliCommand[] = [
  {
    name: 'devices assign',
    summary: 'Hand a recorder to an officer for a period (default: from now, open-ended)',
    usage: 'station devices assign SERIAL --badge B [--from ISO] [--to ISO] [--json]',
    options: {
      badge: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const serial = args.positionals[0];
      if (!serial) throw new UsageError('SERIAL is required');
      const station = await openStation();
      try {
        const zone = station.config.station.timezone;
        const time = (name: string) => {
          const text = optionalString(args, name);
          if (text === undefined) return null;
          const instant = parseUserTime(text, zone);
          if (!instant) throw new UsageError(`--${name} must be an ISO date or time, got "${text}"`);
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
            `recorder ${serial} assigned to ${assignment.officerName} (${assignment.badge}) from ${assignment.validFrom}`,
          );
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'devices list',
    summary: 'List recorders and who holds them',
    usage: 'station devices list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
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
          const t = cliText(station.config);
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
      } finally {
        station.close();
      }
    },
  },
];
