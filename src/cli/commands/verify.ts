import { verifyArchive } from '../../archive/fixity.ts';
import { openStation } from '../../station.ts';
import { type CliCommand, print, printJson } from '../command.ts';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Re-hash every archived file against the ledger; exit 1 naming each missing or changed file',
  usage: 'station verify [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const station = await openStation();
    try {
      const report = await verifyArchive(station.db, station.archive);
      if (args.values.json) printJson({ ...report, passed: report.problems.length === 0 });
      else {
        for (const problem of report.problems) {
          print(
            `${problem.problem.toUpperCase()} #${problem.recordingId} ${problem.archivePath}${problem.detail ? ` (${problem.detail})` : ''}`,
          );
        }
        print(
          `checked ${report.checked} archived files: ${report.ok} intact, ${report.problems.length} with problems`,
        );
      }
      return report.problems.length ? 1 : 0;
    } finally {
      station.close();
    }
  },
};
