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
  wholeNumberOption,
  withLedger,
} from '../command.ts';

/** Bad input is a usage error (exit 2); a refusal by the rules is a failed check (exit 1). */
async function withAccessErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AccessRefused) throw new CheckFailed(errorMessage(error));
    if (error instanceof AccessRequestError) throw new UsageError(errorMessage(error));
    throw error;
  }
}

function parseRequestId(args: { positionals: string[] }): number {
  const id = Number(args.positionals[0]);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(t('cli.error.required', { what: 'ID' }));
  return id;
}

function parseRecordingIds(text: string): number[] {
  const ids = text.split(',').map((part) => Number(part.trim()));
  if (ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new UsageError(t('cli.error.idList', { option: '--recordings', value: text }));
  return ids;
}

function describe(request: AccessRequest, zone: string): string {
  const lines = [
    t('cli.access.request', {
      id: request.id,
      state: t(`dash.access.state.${request.state}` as MessageKey),
      mode: t(`dash.access.mode.${request.mode}` as MessageKey),
      user: request.user,
      purpose: request.purposeLabel,
    }),
    request.caseNumber
      ? t('cli.access.recordingsOfCase', {
          recordings: request.recordingIds.map((id) => `#${id}`).join(', '),
          case: request.caseNumber,
        })
      : t('cli.access.recordingsList', { recordings: request.recordingIds.map((id) => `#${id}`).join(', ') }),
  ];
  if (request.reason) lines.push(t('cli.access.reason', { reason: request.reason }));
  if (request.requestingParty) lines.push(t('cli.access.party', { party: request.requestingParty }));
  if (request.validUntil)
    lines.push(
      t('cli.access.valid', {
        from: formatDateTime(request.validFrom, zone),
        until: formatDateTime(request.validUntil, zone),
      }),
    );
  if (request.thirdPartyReview) lines.push(t('dash.access.thirdParty'));
  return lines.join('\n');
}

const decide = (approve: boolean): CliCommand => ({
  name: approve ? 'access approve' : 'access refuse',
  summary: approve ? 'cli.summary.access.approve' : 'cli.summary.access.refuse',
  usage: `station access ${approve ? 'approve' : 'refuse'} ID --by USER (--password-stdin | STATION_TOKEN) [--json]`,
  options: { by: { type: 'string' }, json: { type: 'boolean' }, ...provingOptions },
  async run(args) {
    const id = parseRequestId(args);
    requireString(args, 'by');
    return withLedger(async (station) => {
      const by = (await actingUser(station, args)).name;
      const request = await withAccessErrors(async () =>
        decideAccessRequest(station.db, id, { by, approve }, station.clock.now()),
      );
      if (args.values.json) printJson(request, station.config.station.timezone);
      else print(describe(request, station.config.station.timezone));
      return 0;
    });
  },
});

export const accessCommands: CliCommand[] = [
  {
    name: 'access request',
    summary: 'cli.summary.access.request',
    usage:
      'station access request (--recordings ID[,ID…] | --case NUMBER) --purpose PURPOSE --mode view|copy [--reason TEXT] [--party WHO] --user NAME (--password-stdin | STATION_TOKEN) [--days N] [--json]',
    options: {
      ...provingOptions,
      recordings: { type: 'string' },
      case: { type: 'string' },
      purpose: { type: 'string' },
      mode: { type: 'string' },
      reason: { type: 'string' },
      party: { type: 'string' },
      user: { type: 'string' },
      days: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const recordings = optionalString(args, 'recordings');
      const caseNumber = optionalString(args, 'case');
      if (!recordings && !caseNumber)
        throw new UsageError(t('cli.error.required', { what: '--recordings | --case' }));
      const purpose = requireString(args, 'purpose');
      const mode = requireString(args, 'mode');
      if (mode !== 'view' && mode !== 'copy')
        throw new UsageError(t('cli.error.oneOf', { option: '--mode', choices: 'view, copy' }));
      const days = args.values.days === undefined ? undefined : wholeNumberOption(args, 'days', 0);
      requireString(args, 'user');
      return withLedger(async (station) => {
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
              reason: optionalString(args, 'reason'),
              requestingParty: optionalString(args, 'party'),
            },
            station.clock.now(),
          ),
        );
        if (args.values.json) printJson(request, station.config.station.timezone);
        else {
          print(String(request.id));
          if (request.thirdPartyReview) process.stderr.write(`${t('dash.access.thirdParty')}\n`);
        }
        return 0;
      });
    },
  },
  decide(true),
  decide(false),
  {
    name: 'access list',
    summary: 'cli.summary.access.list',
    usage: 'station access list [--json]',
    options: { json: { type: 'boolean' } },
    run: (args) =>
      withLedger((station) => {
        const requests = listAccessRequests(station.db);
        if (args.values.json) printJson(requests, station.config.station.timezone);
        else {
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
      }),
  },
];
