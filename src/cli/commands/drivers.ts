import { loadDrivers } from '../../drivers/registry.ts';
import { driverLabel } from '../../i18n/format.ts';
import { type CliCommand, formatTable, print, printJson, t } from '../command.ts';

export const driversCommand: CliCommand = {
  name: 'drivers',
  summary: 'cli.summary.drivers',
  usage: 'station drivers [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const drivers = await loadDrivers();
    const rows = drivers.map((driver) => ({
      id: driver.id,
      name: driver.name,
      priority: driver.priority,
      match: driver.match,
      recordingRoots: driver.recordingRoots ?? ['.'],
      fileNames: driver.fileNames ?? [],
      creationTime: driver.creationTime,
      fileSystemTime: driver.fileSystemTime ?? 'utc',
      capabilities: Object.keys(driver.capabilities ?? {}),
      source: driver.source ?? null,
    }));
    if (args.values.json) printJson(rows);
    else
      print(
        formatTable(
          [t('cli.drivers.id'), t('cli.drivers.priority'), t('cli.drivers.name'), t('cli.drivers.source')],
          rows.map((row) => [
            row.id,
            String(row.priority),
            driverLabel(t, drivers, row.id),
            row.source ?? '',
          ]),
        ),
      );
    return 0;
  },
};
