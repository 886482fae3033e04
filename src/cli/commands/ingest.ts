import { statSync } from 'node:fs';
import { type DockReport, dockFolder } from '../../dock/dock-session.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { driverLabel } from '../../i18n/format.ts';
import { fileNoteLabel } from '../../ingest/file-notes.ts';
import { findOfficerByBadge } from '../../ledger/officers.ts';
import { publicRecording } from '../../ledger/public-recording.ts';
import { findRecording } from '../../ledger/recordings.ts';
import type { Station } from '../../station.ts';
import { type CliCommand, optionalString, print, printJson, t, UsageError, withStation } from '../command.ts';

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'cli.summary.ingest',
  usage: 'station ingest PATH [--device SERIAL] [--badge B] [--json]',
  options: { device: { type: 'string' }, badge: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const sourceRoot = args.positionals[0];
    if (!sourceRoot) throw new UsageError(t('cli.error.required', { what: 'PATH' }));
    if (!statSync(sourceRoot, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(t('cli.error.notFolder', { path: sourceRoot }));
    }
    return withStation(async (station) => {
      const badge = optionalString(args, 'badge');
      if (badge && !findOfficerByBadge(station.db, badge)) {
        throw new UsageError(t('cli.error.noOfficerBadge', { badge }));
      }
      try {
        await station.archive.sweep();
        station.playback.resume();
        const report = await dockFolder(station, {
          sourceRoot,
          origin: 'cli',
          deviceSerial: optionalString(args, 'device') ?? null,
          badge: badge ?? null,
        });
        if (args.values.json) printJson(ingestJson(station, report), station.config.station.timezone);
        else print(ingestSummary(report, station.drivers));
        if (report.stoppedReason)
          process.stderr.write(
            `station ingest: ${t('cli.ingest.stopped', { reason: report.stoppedReason })}\n`,
          );
        return report.state === 'done' ? 0 : 1;
      } finally {
        // The playback checks started by this ingest finish before the ledger closes.
        await station.playback.whenIdle();
      }
    });
  },
};

export function ingestJson(station: Station, report: DockReport) {
  return {
    dockId: report.dockId,
    state: report.state,
    reason: report.reason,
    stoppedReason: report.stoppedReason,
    device: report.device,
    driver: report.driver,
    recordings: report.recordings.map((recording) =>
      publicRecording(
        recording,
        station.config.station.timezone,
        recording.duplicateOf ? findRecording(station.db, recording.duplicateOf) : null,
      ),
    ),
    skipped: report.skipped,
  };
}

function ingestSummary(report: DockReport, drivers: Station['drivers']): string {
  const archived = report.recordings.filter((recording) => !recording.duplicateOf);
  const lines = [
    t('cli.ingest.dock', {
      id: report.dockId,
      state: codeLabel(t, 'dash.dockState.', report.state),
      driver: driverLabel(t, drivers, report.driver) || '-',
      device: report.device?.serial ?? t('cli.ingest.unknownDevice'),
    }),
    t('cli.ingest.counts', {
      archived: archived.length,
      duplicates: report.recordings.length - archived.length,
      skipped: report.skipped.length,
    }),
  ];
  for (const recording of report.recordings) {
    const who = recording.officerName
      ? `${recording.officerName} ${recording.badge}`
      : `${t('common.unassigned')} ${recording.badge ?? ''}`.trimEnd();
    const duplicate = recording.duplicateOf
      ? ` ${t('cli.ingest.duplicateOf', { id: recording.duplicateOf })}`
      : '';
    lines.push(
      `  #${recording.id} ${recording.sourcePath} → ${recording.archivePath ?? '-'} [${codeLabel(t, 'playback.', recording.playback)}] ${who}${duplicate}`,
    );
  }
  for (const skipped of report.skipped)
    lines.push(
      `  ${t('cli.ingest.skipped', { path: skipped.sourcePath, reason: fileNoteLabel(t, skipped.note) })}`,
    );
  return lines.join('\n');
}
