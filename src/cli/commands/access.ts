import {
  AccessRefused,
  type AccessRequest,
  AccessRequestError,
  createAccessRequest,
  decideAccessRequest,
  listAccessRequests,
} from '../../custody/access-requests.ts';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { openStation } from '../../station.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  cliText,
  formatTable,
  optionalString,
  print,
  printJson,
  requireString,
  UsageError,
} from '../command.ts';

/** Bad input is a usage error (exit 2); a refusal by the rules is a failed check (exit 1). */
async function withAccessErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AccessRefused) throw new CheckFailed(error.message);
    if (error instanceof AccessRequestError) throw new UsageError(error.message);
    throw error;
  }
}

function parseRequestId(args: { positionals: string[] }): number {
  const id = Number(args.positionals[0]);
  if (!Number.isInteger(id) || id < 1) throw new UsageError('request ID is required');
  return id;
}

function parseRecordingIds(text: string): number[] {
  const ids = text.split(',').map((part) => Number(part.trim()));
  if (ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new UsageError(`--recordings: not a list of ids: ${text}`);
  return ids;
}

function describe(request: AccessRequest): string {
  const scope = request.caseNumber ? `case ${request.caseNumber}` : '';
  const lines = [
    `access request #${request.id}: ${request.state}; ${request.mode} for ${request.user}; purpose ${request.purposeLabel} (${request.purpose})`,
    `recordings ${request.recordingIds.map((id) => `#${id}`).join(', ')} ${scope}`.trim(),
  ];
  if (request.validUntil) lines.push(`valid ${request.validFrom} until ${request.validUntil}`);
  if (request.thirdPartyReview)
    lines.push('warning: party concerned — review third-party content before release (art. 28)');
  return lines.join('\n');
}

const decide = (approve: boolean): CliCommand => ({
  name: approve ? 'access approve' : 'access refuse',
  summary: approve
    ? 'Approve an access request (a leader other than the requester); the grant runs for its days from now'
    : 'Refuse an access request (a leader other than the requester)',
  usage: `station access ${approve ? 'approve' : 'refuse'} ID --by USER (--password-stdin | STATION_TOKEN) [--json]`,
  options: { by: { type: 'string' }, json: { type: 'boolean' }, ...provingOptions },
  async run(args) {
    const id = parseRequestId(args);
    requireString(args, 'by');
    const station = await openStation();
    try {
      const by = (await actingUser(station, args)).name;
      const request = await withAccessErrors(async () =>
        decideAccessRequest(station.db, id, { by, approve }, station.clock.now()),
      );
      if (args.values.json) printJson(request, station.config.station.timezone);
      else print(describe(request));
      return 0;
    } finally {
      station.close();
    }
  },
});

export const accessCommands: CliCommand[] = [
  {
    name: 'access request',
    summary: 'Ask to view or copy recordings (art. 27, 28); prints the request id',
    usage:
      'station access request (--recordings ID[,ID…] | --case NUMBER) --purpose PURPOSE --mode view|copy --user NAME (--password-stdin | STATION_TOKEN) [--days N] [--json]',
    options: {
      ...provingOptions,
      recordings: { type: 'string' },
      case: { type: 'string' },
      purpose: { type: 'string' },
      mode: { type: 'string' },
      user: { type: 'string' },
      days: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const recordings = optionalString(args, 'recordings');
      const caseNumber = optionalString(args, 'case');
      if (!recordings && !caseNumber) throw new UsageError('--recordings or --case is required');
      const purpose = requireString(args, 'purpose');
      const mode = requireString(args, 'mode');
      if (mode !== 'view' && mode !== 'copy') throw new UsageError('--mode must be view or copy');
      const daysText = optionalString(args, 'days');
      const days = daysText === undefined ? undefined : Number(daysText);
      if (days !== undefined && (!Number.isInteger(days) || days < 1))
        throw new UsageError('--days must be a whole number >= 1');
      requireString(args, 'user');
      const station = await openStation();
      try {
        const user = (await actingUser(station, args, 'user')).name;
        const request = await withAccessErrors(async () =>
          createAccessRequest(
            station.db,
            {
              user,
              purpose,
              mode,
              recordingIds: recordings ? parseRecordingIds(recordings) : undefined,
              caseNumber,
              days,
            },
            station.clock.now(),
          ),
        );
        if (args.values.json) printJson(request, station.config.station.timezone);
        else {
          print(String(request.id));
          if (request.thirdPartyReview)
            process.stderr.write(
              'warning: a request by the party concerned; third-party content must be reviewed before release (art. 28)\n',
            );
        }
        return 0;
      } finally {
        station.close();
      }
    },
  },
  decide(true),
  decide(false),
  {
    name: 'access list',
    summary: 'List access requests and their grants',
    usage: 'station access list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const requests = listAccessRequests(station.db);
        if (args.values.json) printJson(requests, station.config.station.timezone);
        else {
          const t = cliText(station.config);
          const zone = station.config.station.timezone;
          if (requests.length === 0) print(t('cli.access.none'));
          else
            print(
              formatTable(
                [
                  t('ledger.id'),
                  t('dash.access.state'),
                  t('dash.access.mode'),
                  t('cli.access.user'),
                  t('dash.access.purpose'),
                  t('cli.access.recordings'),
                  t('dash.access.validUntil'),
                  t('cli.access.decidedBy'),
                ],
                requests.map((request) => [
                  String(request.id),
                  t(`dash.access.state.${request.state}` as MessageKey),
                  t(`dash.access.mode.${request.mode}` as MessageKey),
                  request.user,
                  request.purposeLabel,
                  request.caseNumber ?? request.recordingIds.map((id) => `#${id}`).join(','),
                  formatDateTime(request.validUntil, zone) || '-',
                  request.decidedBy ?? '-',
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
