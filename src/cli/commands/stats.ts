import path from 'node:path';
import { isMonth } from '../../compliance/calendar.ts';
import { writeMonthlyReport } from '../../compliance/monthly-report.ts';
import { lateExportsOf, monthlyStatistics, monthMeasures, monthOf } from '../../compliance/statistics.ts';
import {
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  t,
  UsageError,
  withLedger,
} from '../command.ts';

const shownColumns = ['badge', 'officerName', ...monthMeasures] as const;

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'cli.summary.stats',
  usage: 'station stats [--month YYYY-MM] [--json] [--xlsx FILE]',
  options: { month: { type: 'string' }, json: { type: 'boolean' }, xlsx: { type: 'string' } },
  async run(args) {
    const monthText = optionalString(args, 'month');
    if (monthText !== undefined && !isMonth(monthText)) {
      throw new UsageError(t('cli.error.month', { option: '--month', value: monthText }));
    }
    return withLedger(async (station) => {
      const zone = station.config.station.timezone;
      const month = monthText ?? monthOf(station.clock.now(), zone);
      const statistics = monthlyStatistics(station.db, zone, month);
      const language = station.config.station.language;
      const xlsx = optionalString(args, 'xlsx');
      if (xlsx) {
        await writeMonthlyReport(
          path.resolve(xlsx),
          {
            statistics,
            lateExports: lateExportsOf(station.db, month),
            stationName: station.config.station.name,
          },
          language,
        );
      }
      if (args.values.json) printJson(statistics, station.config.station.timezone);
      else if (xlsx) print(t('cli.stats.written', { month, file: path.resolve(xlsx) }));
      else {
        print(t('stats.title', { month }));
        print(
          formatTable(
            shownColumns.map((column) => t(`stats.${column}`)),
            statistics.officers.map((officer) =>
              shownColumns.map((column) =>
                column === 'badge'
                  ? (officer.badge ?? t('common.unassigned'))
                  : String(officer[column] ?? '-'),
              ),
            ),
          ),
        );
      }
      return 0;
    });
  },
};
