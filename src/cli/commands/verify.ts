import { verifyArchive } from '../../archive/fixity.ts';
import { checkAnchors, configuredAnchorSources } from '../../custody/audit-anchors.ts';
import { verifyAuditChain } from '../../custody/audit-chain.ts';
import { verifyAccessGrants } from '../../custody/grant-seal.ts';
import { verifyRecordingSeals } from '../../custody/recording-seal.ts';
import { districtAnchorSources } from '../../district/anchor-check.ts';
import { FootageReader } from '../../district/footage-reader.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { type Message, say } from '../../i18n/translated-error.ts';
import { type CliCommand, print, printJson, t, withStation } from '../command.ts';

const problemLabel = (code: string) => codeLabel(t, 'cli.verify.problem.', code);

// Scripts read `detail` (English) and the codes; the words for people are printed, not written as JSON.
const withoutMessages = <Report extends { problems: { message: Message }[] }>(report: Report) => ({
  ...report,
  problems: report.problems.map(({ message: _message, ...problem }) => problem),
});

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'cli.summary.verify',
  usage: 'station verify [--json]',
  options: { json: { type: 'boolean' } },
  run: (args) =>
    withStation(async (station) => {
      const district = new FootageReader(station);
      const archive = await verifyArchive(station.db, station.archive, { district }).finally(() =>
        district.close(),
      );
      const auditChain = verifyAuditChain(station.db);
      // The district's copies of the head too: a chain rewritten from its start still shows there.
      const anchors = await checkAnchors(
        station.db,
        [...configuredAnchorSources(station.config), ...districtAnchorSources(station.config)],
        station.config.station.timezone,
      );
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
            auditChain: withoutMessages(auditChain),
            anchors: withoutMessages(anchors),
            ledger: withoutMessages(ledger),
            grants: withoutMessages(grants),
            passed: problemCount === 0,
          },
          station.config.station.timezone,
        );
      else {
        for (const problem of archive.problems) {
          const detail = problem.detail ? ` (${problem.detail})` : '';
          print(
            t('cli.verify.file', {
              problem: problemLabel(problem.problem),
              id: problem.recordingId,
              path: `${problem.archivePath}${detail}`,
            }),
          );
        }
        for (const problem of auditChain.problems) {
          print(
            t('cli.verify.auditEntry', {
              problem: problemLabel(problem.problem),
              id: problem.entryId,
              detail: say(t, problem.message),
            }),
          );
        }
        for (const problem of anchors.problems) {
          print(
            t('cli.verify.anchor', {
              problem: problemLabel(problem.problem),
              source: problem.source,
              detail: say(t, problem.message),
            }),
          );
        }
        for (const problem of ledger.problems) {
          print(
            t('cli.verify.ledgerRow', {
              problem: problemLabel(problem.problem),
              id: problem.recordingId,
              detail: say(t, problem.message),
            }),
          );
        }
        for (const problem of grants.problems) {
          print(t('cli.verify.accessRequest', { id: problem.requestId, detail: say(t, problem.message) }));
        }
        const sources = anchors.sources.map((source) => `${source.name}: ${source.anchors}`).join('; ');
        print(
          [
            t('cli.verify.archive', {
              checked: archive.checked,
              ok: archive.ok,
              problems: archive.problems.length,
            }),
            t('cli.verify.auditChain', {
              checked: auditChain.checked,
              head: auditChain.headId ?? '-',
              problems: auditChain.problems.length,
            }),
            t('cli.verify.anchors', { checked: anchors.checked, sources, problems: anchors.problems.length }),
            t('cli.verify.ledger', { checked: ledger.checked, problems: ledger.problems.length }),
            t('cli.verify.accessRequests', { checked: grants.checked, problems: grants.problems.length }),
          ].join('\n'),
        );
      }
      return problemCount ? 1 : 0;
    }),
};
