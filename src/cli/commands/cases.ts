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
import { openStation } from '../../station.ts';
import { parseUserTime } from '../../time/zone.ts';
import { provingOptions } from '../acting-user.ts';
import {
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  UsageError,
} from '../command.ts';
import { cliActor, positional, recordingIdArgument } from './compliance-args.ts';

const byOption = { by: { type: 'string' }, ...provingOptions } as const;

export const caseCommands: CliCommand[] = [
  {
    name: 'cases add',
    summary: 'Add a case (art. 4): number and enforcement type (行政检查, 行政处罚, 行政强制 …)',
    usage: 'station cases add NUMBER --type TYPE [--by USER] [--json]',
    options: { type: { type: 'string' }, json: { type: 'boolean' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const station = await openStation();
      try {
        const added = addCase(
          station.db,
          { number, type: requireString(args, 'type'), by: await cliActor(station, args) },
          station.clock.now(),
        );
        if (args.values.json) printJson(added, station.config.station.timezone);
        else print(`case ${added.number} (${added.enforcementType}) added`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases link',
    summary: 'Link a recording to a case, optionally at a stage (受案, 立案, 调查取证 … 查封, 扣押, 听证 …)',
    usage: 'station cases link NUMBER RECORDING_ID [--stage STAGE] [--by USER]',
    options: { stage: { type: 'string' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const recordingId = recordingIdArgument(positional(args, 1, 'RECORDING_ID'));
      const station = await openStation();
      try {
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
          `recording #${link.recordingId} linked to case ${number}${link.stage ? ` at ${link.stage}` : ''}`,
        );
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases serve',
    summary: 'Record the date the final decision was served (art. 24: retention counts from it)',
    usage: 'station cases serve NUMBER --date DATE [--by USER]',
    options: { date: { type: 'string' }, ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const dateText = requireString(args, 'date');
      const station = await openStation();
      try {
        const servedAt = parseUserTime(dateText, station.config.station.timezone);
        if (!servedAt)
          throw new UsageError(`--date must be a date YYYY-MM-DD or an ISO time, got "${dateText}"`);
        const served = serveCase(
          station.db,
          { number, servedAt, by: await cliActor(station, args) },
          station.clock.now(),
        );
        print(`case ${served.number}: final decision served ${dateText}`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases close',
    summary: 'Mark a case closed',
    usage: 'station cases close NUMBER [--by USER]',
    options: { ...byOption },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const station = await openStation();
      try {
        closeCase(station.db, { number, by: await cliActor(station, args) }, station.clock.now());
        print(`case ${number} closed`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases hold',
    summary:
      'Keep every recording of a case permanently (evidence, obstruction, major-incident, mass-incident)',
    usage: 'station cases hold NUMBER --kind KIND [--note TEXT] [--by USER]',
    options: { kind: { type: 'string' }, note: { type: 'string' }, ...byOption },
    async run(args) {
      const caseNumber = positional(args, 0, 'NUMBER');
      const station = await openStation();
      try {
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
        print(`case ${caseNumber}: hold ${hold.kind} placed (permanent)`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases tag',
    summary: 'Tag a recording as an art. 20 activity (its interruptions are raised louder)',
    usage: `station cases tag RECORDING_ID --activity ${activityKinds.join('|')} [--by USER]`,
    options: { activity: { type: 'string' }, ...byOption },
    async run(args) {
      const recordingId = recordingIdArgument(positional(args, 0, 'RECORDING_ID'));
      const kind = requireString(args, 'activity');
      const station = await openStation();
      try {
        tagActivity(
          station.db,
          { recordingId, kind, by: await cliActor(station, args) },
          station.clock.now(),
        );
        print(`recording #${recordingId} tagged ${kind}`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'cases show',
    summary: 'Show a case with all its recordings (art. 22)',
    usage: 'station cases show NUMBER [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const number = positional(args, 0, 'NUMBER');
      const station = await openStation();
      try {
        const detail = caseDetail(station.db, number, station.config.station.timezone);
        if (!detail) throw new UsageError(`no case ${number}`);
        if (args.values.json) printJson(detail, station.config.station.timezone);
        else {
          print(
            `case ${detail.number}  ${detail.enforcementType}  ${detail.status}  served: ${detail.servedAt ?? '-'}`,
          );
          print(
            formatTable(
              ['id', 'stage', 'badge', 'officer', 'start', 'kind', 'sha256'],
              detail.recordings.map((recording) => [
                String(recording.id),
                recording.stage ?? '',
                recording.badge ?? '',
                recording.officerName ?? '',
                recording.start ?? '',
                recording.kind,
                recording.sha256.slice(0, 16),
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
  {
    name: 'cases list',
    summary: 'List cases',
    usage: 'station cases list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const cases = listCases(station.db);
        if (args.values.json) printJson({ cases }, station.config.station.timezone);
        else
          print(
            formatTable(
              ['number', 'type', 'status', 'served'],
              cases.map((item) => [item.number, item.enforcementType, item.status, item.servedAt ?? '']),
            ),
          );
        return 0;
      } finally {
        station.close();
      }
    },
  },
];
