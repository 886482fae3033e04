import { loadConfig } from '../../config/config.ts';
import type { StationConfig } from '../../config/schema.ts';
import { isFinalDockState } from '../../dock/dock-session.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { driverLabel, formatBytes, formatDateTime } from '../../i18n/format.ts';
import { openDatabase } from '../../ledger/database.ts';
import { type Dock, listDocks } from '../../ledger/docks.ts';
import { databaseFile } from '../../station.ts';
import { type CliCommand, formatTable, print, printJson, t, wholeNumberOption } from '../command.ts';

export const docksCommand: CliCommand = {
  name: 'docks',
  summary: 'cli.summary.docks',
  usage: 'station docks [--limit N] [--json]',
  options: { json: { type: 'boolean' }, limit: { type: 'string' } },
  async run(args) {
    const limit = wholeNumberOption(args, 'limit', 20);
    const config = loadConfig();
    // Read-only use of the ledger: safe while `station serve` is copying (WAL).
    const db = openDatabase(databaseFile(config.home));
    try {
      // The reason code for scripts, and the same in the station's language for people.
      const docks = listDocks(db, { limit }).map((dock) => ({
        ...dock,
        reasonText: dock.reason ? codeLabel(t, 'dash.dockReason.', dock.reason) : null,
      }));
      const current = docks.filter((dock) => !isFinalDockState(dock.state));
      const recent = docks.filter((dock) => isFinalDockState(dock.state));
      if (args.values.json) printJson({ current, recent }, config.station.timezone);
      else print(docksText(current, recent, config));
      return 0;
    } finally {
      db.close();
    }
  },
};

type DockLine = Dock & { reasonText: string | null };

// The table is for people at the station: their language, times on its wall clock, as the dashboard shows them.
function docksText(current: DockLine[], recent: DockLine[], config: Pick<StationConfig, 'station'>): string {
  const zone = config.station.timezone;
  const header = [
    t('cli.docks.dock'),
    t('cli.docks.state'),
    t('ledger.device'),
    t('dash.devices.model'),
    t('cli.docks.files'),
    t('cli.docks.copied'),
    t('cli.docks.clock'),
    t('cli.docks.free'),
    t('cli.docks.battery'),
    t('cli.docks.started'),
    t('cli.docks.detail'),
  ];
  const row = (dock: DockLine) => [
    `#${dock.id}`,
    codeLabel(t, 'dash.dockState.', dock.state),
    dock.deviceSerial ?? '-',
    // The family's name as the catalogues or its definition give it; this command loads no drivers.
    driverLabel(t, [], dock.driver) || '-',
    `${dock.filesDone}/${dock.filesTotal}`,
    `${formatBytes(dock.bytesDone)}/${formatBytes(dock.bytesTotal)}`,
    dock.clockOffsetSeconds === null
      ? '-'
      : t('dash.unit.seconds', { n: `${dock.clockOffsetSeconds > 0 ? '+' : ''}${dock.clockOffsetSeconds}` }),
    dock.freeBytes === null || !dock.totalBytes
      ? '-'
      : `${Math.round((dock.freeBytes / dock.totalBytes) * 100)}%`,
    dock.batteryPercent === null ? '-' : `${Math.round(dock.batteryPercent)}%`,
    formatDateTime(dock.startedAt, zone),
    dock.reasonText ?? dock.detail ?? '',
  ];
  const section = (title: string, docks: DockLine[]) =>
    docks.length ? [`${title}:`, formatTable(header, docks.map(row))] : [`${title}: ${t('cli.docks.none')}`];
  return [...section(t('cli.docks.current'), current), '', ...section(t('cli.docks.recent'), recent)].join(
    '\n',
  );
}
