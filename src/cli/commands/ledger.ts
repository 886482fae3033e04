import { appendAudit } from '../../custody/audit-log.ts';
import { CorrectionError, currentDecision, withdrawDecision } from '../../custody/corrections.ts';
import { access } from '../../dashboard/access.ts';
import { label } from '../../i18n/translated-error.ts';
import {
  ledgerCells,
  ledgerCsv,
  ledgerHeader,
  ledgerTotal,
  terminalColumns,
} from '../../ledger/ledger-csv.ts';
import { publicRecording } from '../../ledger/public-recording.ts';
import { findRecording, listRecordings } from '../../ledger/recordings.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  errorMessage,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  t,
  UsageError,
  withLedger,
} from '../command.ts';
import { positional, recordingIdArgument } from './compliance-args.ts';

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
    return withLedger(async (station) => {
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

const decisionLabel = {
  confirmation: 'dash.decision.confirmed',
  'not-playing': 'dash.decision.notPlaying',
} as const;

/**
 * 撤销: the clerk's decision on a recording (a confirmation or 人工确认无法回放) withdrawn with a reason,
 * as the detail page's form does: a correction on the record, and the recording waits for a decision.
 */
export const withdrawCommand: CliCommand = {
  name: 'ledger withdraw',
  summary: 'cli.summary.ledger.withdraw',
  usage:
    'station ledger withdraw RECORDING_ID --reason TEXT --by USER (--password-stdin | STATION_TOKEN) [--json]',
  options: {
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean' },
    ...provingOptions,
  },
  async run(args) {
    const recordingId = recordingIdArgument(positional(args, 0, 'RECORDING_ID'));
    const reason = requireString(args, 'reason');
    requireString(args, 'by');
    return withLedger(async (station) => {
      const { db, clock } = station;
      const user = await actingUser(station, args);
      // The same rule as the page's permission `confirm`: who decides on playback may withdraw.
      if (!(access.confirm as readonly string[]).includes(user.role)) {
        const refusal = {
          key: 'refusal.notClerk' as const,
          values: { name: user.name, role: label('dash.role.', user.role) },
        };
        appendAudit(
          db,
          {
            actor: user.name,
            action: 'access-refused',
            subjectType: 'recording',
            subjectId: recordingId,
            detail: {
              attempted: 'withdraw decision',
              reason: `${user.name} (${user.role}) is not an archive clerk`,
            },
          },
          clock.now(),
        );
        throw new CheckFailed(errorMessage(refusal));
      }
      const recording = findRecording(db, recordingId);
      const decision = recording && currentDecision(recording);
      try {
        if (!recording) throw new CorrectionError({ key: 'error.noRecording', values: { id: recordingId } });
        if (!decision)
          throw new CorrectionError({ key: 'correction.error.noDecision', values: { id: recordingId } });
        const correction = withdrawDecision(
          db,
          { recordingId, decision, by: user.name, reason },
          clock.now(),
        );
        if (args.values.json) printJson(correction, station.config.station.timezone);
        else
          print(
            t('cli.ledger.withdrawn', {
              id: recordingId,
              decision: t(decisionLabel[decision]),
              reason: correction.reason,
            }),
          );
        return 0;
      } catch (error) {
        if (error instanceof CorrectionError) throw new CheckFailed(errorMessage(error));
        throw error;
      }
    });
  },
};

export const ledgerCommands = [ledgerCommand, withdrawCommand];
