import { loadConfig } from '../../config/config.ts';
import { isFinalDockState } from '../../dock/dock-session.ts';
import { codeLabel, translator } from '../../i18n/catalogue.ts';
import { formatBytes } from '../../i18n/format.ts';
import { openDatabase } from '../../ledger/database.ts';
import { type Dock, listDocks } from '../../ledger/docks.ts';
import { databaseFile } from '../../station.ts';
import { isoInZone } from '../../time/zone.ts';
import { type CliCommand, formatTable, optionalString, print, printJson, UsageError } from '../command.ts';

export const docksCommand: CliCommand = {
  name: 'docks',
  summary: 'Show recorders docked now and the most recent docks',
  usage: 'station docks [--limit N] [--json]',
  options: { json: { type: 'boolean' }, limit: { type: 'string' } },
  async run(args) {
    const limit = Number(optionalString(args, 'limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number >= 1');
    const config = loadConfig();
    // Read-only use of the ledger: safe while `station serve` is copying (WAL).
    const db = openDatabase(databaseFile(config.home));
    try {
      const t = translator(config.station.language);
      // The reason code for scripts, and the same in the station's language for people.
      const docks = listDocks(db, { limit }).map((dock) => ({
        ...dock,
        reasonText: dock.reason ? codeLabel(t, 'dash.dockReason.', dock.reason) : null,
      }));
      const current = docks.filter((dock) => !isFinalDockState(dock.state));
      const recent = docks.filter((dock) => isFinalDockState(dock.state));
      if (args.values.json) printJson({ current, recent });
      else print(docksText(current, recent, config.station.timezone));
      return 0;
    } finally {
      db.close();
    }
  },
};

type DockLine = Dock & { reasonText: string | null };

// The table is for people at the station: times on its wall clock, as the dashboard shows them.
function docksText(current: DockLine[], recent: DockLine[], zone: string): string {
  const header = [
    'dock',
    'state',
    'recorder',
    'driver',
    'files',
    'copied',
    'clock',
    'free',
    'started',
    'reason',
  ];
  const row = (dock: DockLine) => [
    `#${dock.id}`,
    dock.state,
    dock.deviceSerial ?? '-',
    dock.driver ?? '-',
    `${dock.filesDone}/${dock.filesTotal}`,
    `${formatBytes(dock.bytesDone)}/${formatBytes(dock.bytesTotal)}`,
    dock.clockOffsetSeconds === null
      ? '-'
      : `${dock.clockOffsetSeconds > 0 ? '+' : ''}${dock.clockOffsetSeconds}s`,
    dock.freeBytes === null || !dock.totalBytes
      ? '-'
      : `${Math.round((dock.freeBytes / dock.totalBytes) * 100)}%`,
    isoInZone(new Date(dock.startedAt), zone),
    dock.reasonText ?? dock.detail ?? '',
  ];
  const section = (title: string, docks: DockLine[]) =>
    docks.length ? [`${title}:`, formatTable(header, docks.map(row))] : [`${title}: none`];
  return [...section('Docked now', current), '', ...section('Recent', recent)].join('\n');
}
