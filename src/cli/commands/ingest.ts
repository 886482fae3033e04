import { statSync } from 'node:fs';
import { type DockReport, dockFolder } from '../../dock/dock-session.ts';
import { findOfficerByBadge } from '../../ledger/officers.ts';
import { publicRecording } from '../../ledger/public-recording.ts';
import { findRecording } from '../../ledger/recordings.ts';
import { openStation, type Station } from '../../station.ts';
import { type CliCommand, optionalString, print, printJson, UsageError } from '../command.ts';

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'Copy, hash, check and ledger every new recording from a mounted recorder or folder',
  usage: 'station ingest PATH [--device SERIAL] [--badge B] [--json]',
  options: { device: { type: 'string' }, badge: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const sourceRoot = args.positionals[0];
    if (!sourceRoot) throw new UsageError('PATH is required');
    if (!statSync(sourceRoot, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`${sourceRoot} is not a folder`);
    }
    const station = await openStation();
    try {
      const badge = optionalString(args, 'badge');
      if (badge && !findOfficerByBadge(station.db, badge)) {
        throw new UsageError(`no officer with badge ${badge}; add them first (station officers add)`);
      }
      await station.archive.sweep();
      station.playback.resume();
      const report = await dockFolder(station, {
        sourceRoot,
        origin: 'cli',
        deviceSerial: optionalString(args, 'device') ?? null,
        badge: badge ?? null,
      });
      if (args.values.json) printJson(ingestJson(station, report), station.config.station.timezone);
      else print(ingestSummary(report));
      if (report.stoppedReason) process.stderr.write(`station ingest: stopped: ${report.stoppedReason}\n`);
      return report.state === 'done' ? 0 : 1;
    } finally {
      await station.playback.whenIdle();
      station.close();
    }
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

function ingestSummary(report: DockReport): string {
  const archived = report.recordings.filter((recording) => !recording.duplicateOf);
  const lines = [
    `dock #${report.dockId}: ${report.state}; driver ${report.driver}; recorder ${report.device?.serial ?? 'unknown'}`,
    `archived ${archived.length}, duplicates ${report.recordings.length - archived.length}, not archived ${report.skipped.length}`,
  ];
  for (const recording of report.recordings) {
    const who = recording.officerName
      ? `${recording.officerName} ${recording.badge}`
      : `unassigned ${recording.badge ?? ''}`;
    const duplicate = recording.duplicateOf ? ` duplicate of #${recording.duplicateOf}` : '';
    lines.push(
      `  #${recording.id} ${recording.sourcePath} → ${recording.archivePath ?? '-'} [${recording.playback}] ${who}${duplicate}`,
    );
  }
  for (const skipped of report.skipped) lines.push(`  skipped ${skipped.sourcePath}: ${skipped.reason}`);
  return lines.join('\n');
}
