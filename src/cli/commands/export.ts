import { AccessRefused, AccessRequestError } from '../../custody/access-requests.ts';
import { ExportFailed, exportEvidence } from '../../custody/evidence-export.ts';
import { openStation } from '../../station.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import { CheckFailed, type CliCommand, print, printJson, requireString, UsageError } from '../command.ts';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Make the evidence package of an approved copy request: files, SHA256SUMS, statement, ISO image',
  usage: 'station export REQUEST_ID --out DIR --by USER (--password-stdin | STATION_TOKEN) [--json]',
  options: { out: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' }, ...provingOptions },
  async run(args) {
    const requestId = Number(args.positionals[0]);
    if (!Number.isInteger(requestId) || requestId < 1) throw new UsageError('REQUEST_ID is required');
    const outDir = requireString(args, 'out');
    // The disc is made by the grant holder or the archive clerk, proven like every other act.
    requireString(args, 'by');
    const station = await openStation();
    try {
      const by = (await actingUser(station, args)).name;
      const result = await exportEvidence(station, { requestId, outDir, by }, station.clock.now()).catch(
        (error) => {
          if (error instanceof AccessRefused || error instanceof ExportFailed)
            throw new CheckFailed(error.message);
          if (error instanceof AccessRequestError) throw new UsageError(error.message);
          throw error;
        },
      );
      if (args.values.json) printJson(result, station.config.station.timezone);
      else {
        print(
          [
            `exported ${result.files.length} files for request #${result.requestId} to ${result.outDir}`,
            ...result.files.map((file) => `  ${file.sha256}  ${file.name}`),
            `manifest ${result.manifest}`,
            `statement ${result.statements.join(', ')}`,
            `disc image ${result.iso.name} (${result.iso.sizeBytes} bytes, sha256 ${result.iso.sha256})`,
          ].join('\n'),
        );
      }
      if (result.thirdPartyReview)
        process.stderr.write(
          'warning: a request by the party concerned; review third-party content before release (art. 28)\n',
        );
      return 0;
    } finally {
      station.close();
    }
  },
};
