import { verifyArchive } from '../../archive/fixity.ts';
import { verifyAuditChain } from '../../custody/audit-chain.ts';
import { verifyRecordingSeals } from '../../custody/recording-seal.ts';
import { openStation } from '../../station.ts';
import { type CliCommand, print, printJson } from '../command.ts';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary:
    'Re-hash every archived file, walk the audit chain and check ledger seals; exit 1 naming each problem',
  usage: 'station verify [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const station = await openStation();
    try {
      const archive = await verifyArchive(station.db, station.archive);
      const auditChain = verifyAuditChain(station.db);
      const ledger = verifyRecordingSeals(station.db);
      const problemCount = archive.problems.length + auditChain.problems.length + ledger.problems.length;
      if (args.values.json)
        printJson(
          { ...archive, auditChain, ledger, passed: problemCount === 0 },
          station.config.station.timezone,
        );
      else {
        for (const problem of archive.problems) {
          print(
            `${problem.problem.toUpperCase()} FILE #${problem.recordingId} ${problem.archivePath}${problem.detail ? ` (${problem.detail})` : ''}`,
          );
        }
        for (const problem of auditChain.problems) {
          print(`${problem.problem.toUpperCase()} AUDIT ENTRY #${problem.entryId}: ${problem.detail}`);
        }
        for (const problem of ledger.problems) {
          print(`${problem.problem.toUpperCase()} LEDGER ROW #${problem.recordingId}: ${problem.detail}`);
        }
        print(
          [
            `archive: ${archive.checked} files checked, ${archive.ok} intact, ${archive.problems.length} with problems`,
            `audit chain: ${auditChain.checked} entries, head #${auditChain.headId ?? '-'}, ${auditChain.problems.length} problems`,
            `ledger: ${ledger.checked} rows checked against their seals, ${ledger.problems.length} problems`,
          ].join('\n'),
        );
      }
      return problemCount ? 1 : 0;
    } finally {
      station.close();
    }
  },
};
