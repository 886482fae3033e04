import {
  acceptInterruption,
  explainInterruption,
  type InterruptionItem,
  openInterruptions,
} from '../../compliance/interruptions.ts';
import { spokenReasonOf } from '../../compliance/spoken-reason.ts';
import { openStation, type Station } from '../../station.ts';
import { isoInZone } from '../../time/zone.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import { type CliCommand, formatTable, print, printJson, requireString, UsageError } from '../command.ts';
import { positional } from './compliance-args.ts';

// Art. 18: the same steps as the dashboard's 中断说明 page, for scripts and for stations run headless.
// --by is required and proven: the audit log must name the person who explained or accepted.

function interruptionId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`interruption id must be a number, got "${text}"`);
  return Number(text);
}

async function withStation<T>(run: (station: Station) => T | Promise<T>): Promise<T> {
  const station = await openStation();
  try {
    return await run(station);
  } finally {
    station.close();
  }
}

function itemLine(item: InterruptionItem, zone: string): string[] {
  // An explanation sent back waits for the officer again.
  const state = item.state === 'open' ? 'unexplained' : item.state;
  return [
    String(item.id),
    item.deviceSerial ?? '-',
    item.badge ?? '-',
    isoInZone(new Date(item.gapStart), zone),
    `${Math.round(item.gapSeconds)} s`,
    item.activityKinds.join(',') || '-',
    state,
    item.explanation ?? '',
  ];
}

export const interruptionCommands: CliCommand[] = [
  {
    name: 'interruptions list',
    summary: 'Interruptions (art. 18) not yet accepted: each gap, its explanation and whether it is accepted',
    usage: 'station interruptions list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      return withStation((station) => {
        const items = openInterruptions(station.db);
        if (args.values.json)
          printJson(
            {
              interruptions: items.map((item) => ({
                ...item,
                spokenReason: spokenReasonOf(station.db, item.id),
              })),
            },
            station.config.station.timezone,
          );
        else if (items.length === 0) print('no interruptions waiting');
        else
          print(
            formatTable(
              ['id', 'device', 'badge', 'gap start', 'length', 'activity', 'state', 'explanation'],
              items.map((item) => itemLine(item, station.config.station.timezone)),
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'interruptions explain',
    summary: "Record the officer's written reason for an interruption (art. 18)",
    usage: 'station interruptions explain ID --by USER (--password-stdin | STATION_TOKEN) --text TEXT',
    options: { by: { type: 'string' }, text: { type: 'string' }, ...provingOptions },
    async run(args) {
      const id = interruptionId(positional(args, 0, 'ID'));
      requireString(args, 'by');
      const explanation = requireString(args, 'text');
      return withStation(async (station) => {
        const by = (await actingUser(station, args)).name;
        explainInterruption(station.db, { id, explanation, by }, station.clock.now());
        print(`interruption #${id} explained by ${by}`);
        return 0;
      });
    },
  },
  {
    name: 'interruptions accept',
    summary: "Accept the officer's explanation of an interruption (the clerk's step)",
    usage: 'station interruptions accept ID --by USER (--password-stdin | STATION_TOKEN)',
    options: { by: { type: 'string' }, ...provingOptions },
    async run(args) {
      const id = interruptionId(positional(args, 0, 'ID'));
      requireString(args, 'by');
      return withStation(async (station) => {
        const by = (await actingUser(station, args)).name;
        acceptInterruption(station.db, { id, by }, station.clock.now());
        print(`interruption #${id} accepted by ${by}`);
        return 0;
      });
    },
  },
];
