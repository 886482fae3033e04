import { RetentionRefused } from '../../compliance/compliance-error.ts';
import {
  approveDeletion,
  cancelDeletion,
  type DeletionContext,
  listProposals,
  proposeDeletion,
  purgeDeletions,
  rejectDeletion,
} from '../../compliance/deletion.ts';
import { placeHold } from '../../compliance/holds.ts';
import { deletionContext } from '../../compliance/jobs.ts';
import { type RetentionStatus, retentionReview, retentionSettings } from '../../compliance/retention.ts';
import { codeLabel, type MessageKey } from '../../i18n/catalogue.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { localDateIn, parseUserTime } from '../../time/zone.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  errorMessage,
  formatTable,
  optionalString,
  type ParsedArgs,
  print,
  printJson,
  requireString,
  t,
  UsageError,
  withLedger,
  withStation,
} from '../command.ts';
import { cliActor, positional, recordingIdArgument } from './compliance-args.ts';

const publicItem = (status: RetentionStatus) => ({
  id: status.id,
  sha256: status.sha256,
  retentionEnd: status.retentionEnd,
  reason: status.reason,
  caseNumber: status.caseNumber,
  recordedOn: status.recordedOn,
  badge: status.badge,
  deletion: status.deletion,
});

function table(title: string, items: RetentionStatus[]): string {
  const rows = items.map((item) => [
    String(item.id),
    item.retentionEnd ?? t('dash.retention.indefinitely'),
    codeLabel(t, 'dash.retention.reason.', item.reason),
    item.caseNumber ?? '',
    item.badge ?? '',
    item.sha256.slice(0, 16),
  ]);
  const header = [
    t('ledger.id'),
    t('dash.retention.end'),
    t('dash.retention.why'),
    t('dash.cases.case'),
    t('ledger.badge'),
    'SHA-256',
  ];
  return `${title} (${items.length})\n${formatTable(header, rows)}`;
}

/** One deletion step: the retention rules refusing it is a failed check (exit 1), not bad usage. */
function deletionStep(
  name: string,
  summary: MessageKey,
  step: (
    context: DeletionContext,
    request: { recordingId: number; by: string; reason: string | null },
    now: Date,
  ) => unknown,
  done: MessageKey,
  withReason = false,
): CliCommand {
  return {
    name: `retention ${name}`,
    summary,
    usage: `station retention ${name} RECORDING_ID --by USER (--password-stdin | STATION_TOKEN)${withReason ? ' [--reason TEXT]' : ''}`,
    options: {
      by: { type: 'string' },
      ...provingOptions,
      ...(withReason ? { reason: { type: 'string' } } : {}),
    },
    async run(args: ParsedArgs) {
      const recordingId = recordingIdArgument(positional(args, 0, 'RECORDING_ID'));
      requireString(args, 'by');
      return withStation(async (station) => {
        const by = (await actingUser(station, args)).name;
        step(
          deletionContext(station),
          { recordingId, by, reason: optionalString(args, 'reason') ?? null },
          station.clock.now(),
        );
        print(t('cli.retention.step', { id: recordingId, done: t(done) }));
        return 0;
      }).catch((error) => {
        if (error instanceof RetentionRefused) throw new CheckFailed(errorMessage(error));
        throw error;
      });
    },
  };
}

export const retentionCommands: CliCommand[] = [
  {
    name: 'retention',
    summary: 'cli.summary.retention',
    usage: 'station retention [--as-of DATE] [--json]',
    options: { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      if (args.positionals.length > 0)
        throw new UsageError(t('cli.unknownCommand', { command: `retention ${args.positionals[0]}` }));
      return withLedger(async (station) => {
        const zone = station.config.station.timezone;
        const asOfText = optionalString(args, 'as-of');
        const asOfInstant = asOfText ? parseUserTime(asOfText, zone) : station.clock.now();
        if (!asOfInstant)
          throw new UsageError(t('cli.error.date', { option: '--as-of', value: asOfText ?? '' }));
        const review = retentionReview(
          station.db,
          retentionSettings(station.config),
          localDateIn(asOfInstant, zone),
        );
        if (args.values.json) {
          printJson(
            {
              asOf: review.asOf,
              due: review.due.map(publicItem),
              expiring: review.expiring.map(publicItem),
              held: review.held.map(publicItem),
            },
            station.config.station.timezone,
          );
        } else {
          print(t('cli.retention.asOf', { date: review.asOf }));
          print(table(t('dash.retention.due'), review.due));
          print(
            table(
              t('cli.retention.expiring', { days: station.config.retention.expiringWindowDays }),
              review.expiring,
            ),
          );
          print(table(t('dash.retention.held'), review.held));
        }
        return 0;
      });
    },
  },
  deletionStep('propose', 'cli.summary.retention.propose', proposeDeletion, 'cli.retention.proposed', true),
  deletionStep('approve', 'cli.summary.retention.approve', approveDeletion, 'cli.retention.approved'),
  deletionStep('reject', 'cli.summary.retention.reject', rejectDeletion, 'cli.retention.rejected', true),
  deletionStep('cancel', 'cli.summary.retention.cancel', cancelDeletion, 'cli.retention.cancelled', true),
  {
    name: 'retention purge',
    summary: 'cli.summary.retention.purge',
    usage: 'station retention purge [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      return withStation(async (station) => {
        const report = await purgeDeletions(deletionContext(station), station.clock.now());
        if (args.values.json) printJson(report, station.config.station.timezone);
        else {
          const deleted = report.deleted.map((id) => `#${id}`).join(', ') || t('cli.docks.none');
          print(t('cli.retention.deleted', { ids: deleted }));
          for (const item of report.withdrawn)
            print(t('cli.retention.withdrawn', { id: item.recordingId, reason: item.reason }));
        }
        return 0;
      });
    },
  },
  {
    name: 'retention proposals',
    summary: 'cli.summary.retention.proposals',
    usage: 'station retention proposals [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      return withLedger(async (station) => {
        const proposals = listProposals(station.db);
        const zone = station.config.station.timezone;
        if (args.values.json) printJson({ proposals }, station.config.station.timezone);
        else
          print(
            formatTable(
              [
                t('cli.access.recordings'),
                t('dash.retention.state'),
                t('dash.retention.proposedBy'),
                t('dash.retention.decidedBy'),
                t('dash.retention.graceUntil'),
                t('cli.retention.deletedAt'),
              ],
              proposals.map((item) => [
                `#${item.recordingId}`,
                codeLabel(t, 'dash.retention.state.', item.state),
                item.proposedBy,
                item.decidedBy ?? '',
                formatDateTime(item.graceUntil, zone),
                formatDateTime(item.deletedAt, zone),
              ]),
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'retention hold',
    summary: 'cli.summary.retention.hold',
    usage:
      'station retention hold RECORDING_ID --kind KIND [--note TEXT] [--by USER (--password-stdin | STATION_TOKEN)]',
    options: {
      kind: { type: 'string' },
      note: { type: 'string' },
      by: { type: 'string' },
      ...provingOptions,
    },
    async run(args) {
      const recordingId = recordingIdArgument(positional(args, 0, 'RECORDING_ID'));
      return withLedger(async (station) => {
        const hold = placeHold(
          station.db,
          {
            kind: requireString(args, 'kind'),
            recordingId,
            note: optionalString(args, 'note'),
            by: await cliActor(station, args),
          },
          station.clock.now(),
        );
        print(
          t('cli.retention.held', {
            id: recordingId,
            kind: codeLabel(t, 'dash.retention.reason.hold-', hold.kind),
          }),
        );
        return 0;
      });
    },
  },
];
