import {
  acceptInterruption,
  explainInterruption,
  type InterruptionItem,
  openInterruptions,
} from '../../compliance/interruptions.ts';
import { spokenReasonOf } from '../../compliance/spoken-reason.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  type CliCommand,
  formatTable,
  print,
  printJson,
  requireString,
  t,
  UsageError,
  withLedger,
} from '../command.ts';
import { positional } from './compliance-args.ts';

// Art. 18: the same steps as the dashboard's 中断说明 page, for scripts and for stations run headless.
// --by is required and proven: the audit log must name the person who explained or accepted.

function interruptionId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(t('cli.error.interruptionId', { value: text }));
  return Number(text);
}

function itemLine(item: InterruptionItem, zone: string): string[] {
  // An explanation sent back waits for the officer again.
  const state =
    item.state === 'accepted'
      ? t('cli.interruptions.accepted')
      : item.state === 'explained'
        ? t('cli.interruptions.awaitingAcceptance')
        : t('dash.interruptions.unexplained');
  return [
    String(item.id),
    item.deviceSerial ?? '-',
    item.badge ?? '-',
    formatDateTime(item.gapStart, zone),
    t('dash.unit.seconds', { n: Math.round(item.gapSeconds) }),
    item.activityKinds.map((kind) => codeLabel(t, 'dash.activity.', kind)).join('、') || '-',
    state,
    item.explanation ?? '',
  ];
}

export const interruptionCommands: CliCommand[] = [
  {
    name: 'interruptions list',
    summary: 'cli.summary.interruptions.list',
    usage: 'station interruptions list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      return withLedger((station) => {
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
        else if (items.length === 0) print(t('dash.interruptions.none'));
        else
          print(
            formatTable(
              [
                t('ledger.id'),
                t('ledger.device'),
                t('ledger.badge'),
                t('dash.interruptions.gap'),
                t('dash.interruptions.length'),
                t('dash.interruptions.activity'),
                t('dash.access.state'),
                t('dash.interruptions.explanation'),
              ],
              items.map((item) => itemLine(item, station.config.station.timezone)),
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'interruptions explain',
    summary: 'cli.summary.interruptions.explain',
    usage: 'station interruptions explain ID --by USER (--password-stdin | STATION_TOKEN) --text TEXT',
    options: { by: { type: 'string' }, text: { type: 'string' }, ...provingOptions },
    async run(args) {
      const id = interruptionId(positional(args, 0, 'ID'));
      requireString(args, 'by');
      const explanation = requireString(args, 'text');
      return withLedger(async (station) => {
        const by = (await actingUser(station, args)).name;
        explainInterruption(station.db, { id, explanation, by }, station.clock.now());
        print(t('cli.interruptions.explained', { id, by }));
        return 0;
      });
    },
  },
  {
    name: 'interruptions accept',
    summary: 'cli.summary.interruptions.accept',
    usage: 'station interruptions accept ID --by USER (--password-stdin | STATION_TOKEN)',
    options: { by: { type: 'string' }, ...provingOptions },
    async run(args) {
      const id = interruptionId(positional(args, 0, 'ID'));
      requireString(args, 'by');
      return withLedger(async (station) => {
        const by = (await actingUser(station, args)).name;
        acceptInterruption(station.db, { id, by }, station.clock.now());
        print(t('cli.interruptions.acceptedBy', { id, by }));
        return 0;
      });
    },
  },
];
