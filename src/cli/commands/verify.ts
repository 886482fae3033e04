import { verifyArchive } from '../../archive/fixity.ts';
import { checkAnchors, configuredAnchorSources } from '../../custody/audit-anchors.ts';
import { verifyAuditChain } from '../../custody/audit-chain.ts';
import { verifyAccessGrants } from '../../custody/grant-seal.ts';
import { verifyRecordingSeals } from '../../custody/recording-seal.ts';
import { districtAnchorSources } from '../../district/anchor-check.ts';
import { FootageReader } from '../../district/footage-reader.ts';
import { openStation } from '../../station.ts';
import { type CliCommand, print, printJson } from '../command.ts';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary:
    'Re-hash every archived file, walk the audit chain, check every anchor of its head, the ledger seals and the access requests; exit 1 naming each problem',
  usage: 'station verify [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const station = await openStation();
    try {
      const district = new FootageReader(station);
      const archive = await verifyArchive(station.db, station.archive, { district }).finally(() =>
        district.close(),
      );
      const auditChain = verifyAuditChain(station.db);
      // The district's copies of the head too: a chain rewritten from its start still shows there.
      const anchors = await checkAnchors(station.db, [
        ...configuredAnchorSources(station.config),
        ...districtAnchorSources(station.config),
      ]);
      const ledger = verifyRecordingSeals(station.db);
      const grants = verifyAccessGrants(station.db);
      const problemCount =
        archive.problems.length +
        auditChain.problems.length +
        anchors.problems.length +
        ledger.problems.length +
        grants.problems.length;
      if (args.values.json)
        printJson(
          {
            ...archive,
            auditChain,
            anchors,
            ledger,
            grants,
            passed: problemCount === 0,
          },
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
        for (const problem of anchors.problems) {
          print(
            `${problem.problem.toUpperCase()} AUDIT LOG (anchor in ${problem.source}): ${problem.detail}`,
          );
        }
        for (const problem of ledger.problems) {
          print(`${problem.problem.toUpperCase()} LEDGER ROW #${problem.recordingId}: ${problem.detail}`);
        }
        for (const problem of grants.problems) {
          print(`EDITED ACCESS REQUEST #${problem.requestId}: ${problem.detail}`);
        }
        print(
          [
            `archive: ${archive.checked} files checked, ${archive.ok} intact, ${archive.problems.length} with problems`,
            `audit chain: ${auditChain.checked} entries, head #${auditChain.headId ?? '-'}, ${auditChain.problems.length} problems`,
            `anchors: ${anchors.checked} heads kept outside the database checked (${anchors.sources.map((source) => `${source.name}: ${source.anchors}`).join('; ')}), ${anchors.problems.length} problems`,
            `ledger: ${ledger.checked} rows checked against their seals, ${ledger.problems.length} problems`,
            `access requests: ${grants.checked} checked against their audit entries, ${grants.problems.length} problems`,
          ].join('\n'),
        );
      }
      return problemCount ? 1 : 0;
    } finally {
      station.close();
    }
  },
};
