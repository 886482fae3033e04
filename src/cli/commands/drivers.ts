import { loadDrivers } from '../../drivers/registry.ts';
import { type CliCommand, formatTable, print, printJson } from '../command.ts';

export const driversCommand: CliCommand = {
  name: 'drivers',
  summary: 'List recorder drivers, highest priority first',
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
          ['id', 'priority', 'name', 'source'],
          rows.map((row) => [row.id, String(row.priority), row.name, row.source ?? '']),
        ),
      );
    return 0;
  },
};
