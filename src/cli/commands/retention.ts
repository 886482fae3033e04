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
import { openStation } from '../../station.ts';
import { localDateIn, parseUserTime } from '../../time/zone.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  formatTable,
  optionalString,
  type ParsedArgs,
  print,
  printJson,
  requireString,
  UsageError,
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
    item.retentionEnd ?? '-',
    item.reason,
    item.caseNumber ?? '',
    item.badge ?? '',
    item.sha256.slice(0, 16),
  ]);
  return `${title} (${items.length})\n${formatTable(['id', 'retention end', 'reason', 'case', 'badge', 'sha256'], rows)}`;
}

/** One deletion step: the retention rules refusing it is a failed check (exit 1), not bad usage. */
function deletionStep(
  name: string,
  summary: string,
  step: (
    context: DeletionContext,
    request: { recordingId: number; by: string; reason: string | null },
    now: Date,
  ) => unknown,
  done: string,
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
      const station = await openStation();
      try {
        const by = (await actingUser(station, args)).name;
        step(
          deletionContext(station),
          { recordingId, by, reason: optionalString(args, 'reason') ?? null },
          station.clock.now(),
        );
        print(`recording #${recordingId}: ${done}`);
        return 0;
      } catch (error) {
        if (error instanceof RetentionRefused) throw new CheckFailed(error.message);
        throw error;
      } finally {
        station.close();
      }
    },
  };
}

export const retentionCommands: CliCommand[] = [
  {
    name: 'retention',
    summary: 'Retention review (art. 24): recordings due for review, expiring soon, and held indefinitely',
    usage: 'station retention [--as-of DATE] [--json]',
    options: { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
    async run(args) {
      if (args.positionals.length > 0)
        throw new UsageError(`unknown retention command "${args.positionals[0]}"`);
      const station = await openStation();
      try {
        const zone = station.config.station.timezone;
        const asOfText = optionalString(args, 'as-of');
        const asOfInstant = asOfText ? parseUserTime(asOfText, zone) : station.clock.now();
        if (!asOfInstant) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${asOfText}"`);
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
          print(`retention review as of ${review.asOf}`);
          print(table('due for review', review.due));
          print(
            table(`expiring within ${station.config.retention.expiringWindowDays} days`, review.expiring),
          );
          print(table('held indefinitely', review.held));
        }
        return 0;
      } finally {
        station.close();
      }
    },
  },
  deletionStep(
    'propose',
    'Propose deleting a recording past its retention end (ops)',
    proposeDeletion,
    'deletion proposed',
    true,
  ),
  deletionStep(
    'approve',
    'Approve a proposed deletion (leader); the file goes after the grace period',
    approveDeletion,
    'deletion approved; the file is removed after the grace period',
  ),
  deletionStep('reject', 'Reject a proposed deletion (leader)', rejectDeletion, 'deletion rejected', true),
  deletionStep(
    'cancel',
    'Withdraw a deletion still in its grace period',
    cancelDeletion,
    'deletion withdrawn',
    true,
  ),
  {
    name: 'retention purge',
    summary: 'Remove the files of approved deletions whose grace period is over (the ledger rows stay)',
    usage: 'station retention purge [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const report = await purgeDeletions(deletionContext(station), station.clock.now());
        if (args.values.json) printJson(report, station.config.station.timezone);
        else {
          print(`deleted: ${report.deleted.map((id) => `#${id}`).join(', ') || 'none'}`);
          for (const item of report.withdrawn) print(`withdrawn #${item.recordingId}: ${item.reason}`);
        }
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'retention proposals',
    summary: 'List deletion proposals and their state',
    usage: 'station retention proposals [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const proposals = listProposals(station.db);
        if (args.values.json) printJson({ proposals }, station.config.station.timezone);
        else
          print(
            formatTable(
              ['recording', 'state', 'proposed by', 'decided by', 'grace until', 'deleted at'],
              proposals.map((item) => [
                `#${item.recordingId}`,
                item.state,
                item.proposedBy,
                item.decidedBy ?? '',
                item.graceUntil ?? '',
                item.deletedAt ?? '',
              ]),
            ),
          );
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'retention hold',
    summary: 'Keep a recording permanently (evidence, obstruction, major-incident, mass-incident)',
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
      const station = await openStation();
      try {
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
        print(`recording #${hold.recordingId}: hold ${hold.kind} placed (permanent)`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
];
