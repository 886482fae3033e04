import { activityKinds, tagActivity } from '../../compliance/activity-tags.ts';
import {
  addCase,
  caseDetail,
  closeCase,
  linkRecording,
  listCases,
  serveCase,
} from '../../compliance/cases.ts';
import { placeHold } from '../../compliance/holds.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { parseUserTime } from '../../time/zone.ts';
import { provingOptions } from '../acting-user.ts';
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
import { cliActor, positional, recordingIdArgument } from './compliance-args.ts';

const byOption = { by: { type: 'string' }, ...provingOptions } as const;

const caseStatus = (status: string) => codeLabel(t, 'dash.cases.', status);

export const caseCommands: CliCommand[] = [
  {
    name: 'cases add',
    summary: 'cli.summary.cases.add',
    usage: 'station cases add NUMBER --type TYPE [--by USER] [--json]',
    options: { type: { type: 'string' }, json: { type: 'boolean' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      return withLedger(async (station) => {
        const added = addCase(
          station.db,
          { number, type: requireString(args, 'type'), by: await cliActor(station, args) },
          station.clock.now(),
        );
        if (args.values.json) printJson(added, station.config.station.timezone);
        else print(t('cli.cases.added', { number: added.number, type: added.enforcementType }));
        return 0;
      });
    },
  },
  {
    name: 'cases link',
    summary: 'cli.summary.cases.link',
    usage: 'station cases link NUMBER RECORDING_ID [--stage STAGE] [--by USER]',
    options: { stage: { type: 'string' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const recordingId = recordingIdArgument(positional(args, 1, 'RECORDING_ID'));
      return withLedger(async (station) => {
        const link = linkRecording(
          station.db,
          {
            number,
            recordingId,
            stage: optionalString(args, 'stage') ?? null,
            by: await cliActor(station, args),
          },
          station.clock.now(),
        );
        print(
          link.stage
            ? t('cli.cases.linkedAt', { id: link.recordingId, number, stage: link.stage })
            : t('cli.cases.linked', { id: link.recordingId, number }),
        );
        return 0;
      });
    },
  },
  {
    name: 'cases serve',
    summary: 'cli.summary.cases.serve',
    usage: 'station cases serve NUMBER --date DATE [--by USER]',
    options: { date: { type: 'string' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const dateText = requireString(args, 'date');
      return withLedger(async (station) => {
        const servedAt = parseUserTime(dateText, station.config.station.timezone);
        if (!servedAt) throw new UsageError(t('cli.error.dateOrTime', { option: '--date', value: dateText }));
        const served = serveCase(
          station.db,
          { number, servedAt, by: await cliActor(station, args) },
          station.clock.now(),
        );
        print(t('cli.cases.served', { number: served.number, date: dateText }));
        return 0;
      });
    },
  },
  {
    name: 'cases close',
    summary: 'cli.summary.cases.close',
    usage: 'station cases close NUMBER [--by USER]',
    options: { ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      return withLedger(async (station) => {
        closeCase(station.db, { number, by: await cliActor(station, args) }, station.clock.now());
        print(t('cli.cases.closed', { number }));
        return 0;
      });
    },
  },
  {
    name: 'cases hold',
    summary: 'cli.summary.cases.hold',
    usage: 'station cases hold NUMBER --kind KIND [--note TEXT] [--by USER]',
    options: { kind: { type: 'string' }, note: { type: 'string' }, ...byOption },
    async run(args) {
      const caseNumber = positional(args, 0, 'NUMBER');
      return withLedger(async (station) => {
        const hold = placeHold(
          station.db,
          {
            kind: requireString(args, 'kind'),
            caseNumber,
            note: optionalString(args, 'note'),
            by: await cliActor(station, args),
          },
          station.clock.now(),
        );
        print(
          t('cli.cases.held', {
            number: caseNumber,
            kind: codeLabel(t, 'dash.retention.reason.hold-', hold.kind),
          }),
        );
        return 0;
      });
    },
  },
  {
    name: 'cases tag',
    summary: 'cli.summary.cases.tag',
    usage: `station cases tag RECORDING_ID --activity ${activityKinds.join('|')} [--by USER]`,
    options: { activity: { type: 'string' }, ...byOption },
    async run(args) {
      const recordingId = recordingIdArgument(positional(args, 0, 'RECORDING_ID'));
      const kind = requireString(args, 'activity');
      return withLedger(async (station) => {
        tagActivity(
          station.db,
          { recordingId, kind, by: await cliActor(station, args) },
          station.clock.now(),
        );
        print(t('cli.cases.tagged', { id: recordingId, activity: codeLabel(t, 'dash.activity.', kind) }));
        return 0;
      });
    },
  },
  {
    name: 'cases show',
    summary: 'cli.summary.cases.show',
    usage: 'station cases show NUMBER [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      return withLedger(async (station) => {
        const detail = caseDetail(station.db, number, station.config.station.timezone);
        if (!detail) throw new UsageError(t('cli.error.noCase', { number }));
        if (args.values.json) printJson(detail, station.config.station.timezone);
        else {
          const zone = station.config.station.timezone;
          const served = formatDateTime(detail.servedAt, zone) || t('dash.cases.notServed');
          print(
            `${t('dash.cases.case')} ${detail.number}  ${detail.enforcementType}  ${caseStatus(detail.status)}  ${t('dash.cases.servedOn')}: ${served}`,
          );
          print(
            formatTable(
              [
                t('ledger.id'),
                t('dash.cases.stage'),
                t('ledger.badge'),
                t('ledger.officerName'),
                t('ledger.start'),
                t('ledger.kind'),
                'SHA-256',
              ],
              detail.recordings.map((recording) => [
                String(recording.id),
                recording.stage ?? '',
                recording.badge ?? '',
                recording.officerName ?? '',
                formatDateTime(recording.start, zone),
                codeLabel(t, 'kind.', recording.kind),
                recording.sha256.slice(0, 16),
              ]),
            ),
          );
        }
        return 0;
      });
    },
  },
  {
    name: 'cases list',
    summary: 'cli.summary.cases.list',
    usage: 'station cases list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      return withLedger(async (station) => {
        const cases = listCases(station.db);
        if (args.values.json) printJson({ cases }, station.config.station.timezone);
        else
          print(
            formatTable(
              [
                t('dash.cases.number'),
                t('dash.cases.type'),
                t('dash.cases.status'),
                t('dash.cases.servedOn'),
              ],
              cases.map((item) => [
                item.number,
                item.enforcementType,
                caseStatus(item.status),
                formatDateTime(item.servedAt, station.config.station.timezone),
              ]),
            ),
          );
        return 0;
      });
    },
  },
];
