import { AccessRefused, AccessRequestError } from '../../custody/access-requests.ts';
import { ExportFailed, exportEvidence } from '../../custody/evidence-export.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  errorMessage,
  print,
  printJson,
  requireString,
  t,
  UsageError,
  withStation,
} from '../command.ts';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'cli.summary.export',
  usage: 'station export REQUEST_ID --out DIR --by USER (--password-stdin | STATION_TOKEN) [--json]',
  options: { out: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' }, ...provingOptions },
  async run(args) {
    const requestId = Number(args.positionals[0]);
    if (!Number.isInteger(requestId) || requestId < 1)
      throw new UsageError(t('cli.error.required', { what: 'REQUEST_ID' }));
    const outDir = requireString(args, 'out');
    // The disc is made by the grant holder or the archive clerk, proven like every other act.
    requireString(args, 'by');
    return withStation(async (station) => {
      const by = (await actingUser(station, args)).name;
      const result = await exportEvidence(station, { requestId, outDir, by }, station.clock.now()).catch(
        (error) => {
          if (error instanceof AccessRefused || error instanceof ExportFailed)
            throw new CheckFailed(errorMessage(error));
          if (error instanceof AccessRequestError) throw new UsageError(errorMessage(error));
          throw error;
        },
      );
      if (args.values.json) printJson(result, station.config.station.timezone);
      else {
        print(
          [
            t('cli.export.exported', {
              count: result.files.length,
              id: result.requestId,
              folder: result.outDir,
            }),
            ...result.files.map((file) => `  ${file.sha256}  ${file.name}`),
            t('cli.export.manifest', { file: result.manifest }),
            t('cli.export.statement', { files: result.statements.join(', ') }),
            t('cli.export.disc', {
              file: result.iso.name,
              bytes: result.iso.sizeBytes,
              sha256: result.iso.sha256,
            }),
          ].join('\n'),
        );
      }
      if (result.thirdPartyReview) process.stderr.write(`${t('dash.access.thirdParty')}\n`);
      return 0;
    });
  },
};
