import path from 'node:path';
import { isMonth } from '../../compliance/calendar.ts';
import { writeMonthlyReport } from '../../compliance/monthly-report.ts';
import { lateExportsOf, monthlyStatistics, monthMeasures, monthOf } from '../../compliance/statistics.ts';
import { translator } from '../../i18n/catalogue.ts';
import { openStation } from '../../station.ts';
import { type CliCommand, formatTable, optionalString, print, printJson, UsageError } from '../command.ts';

const shownColumns = ['badge', 'officerName', ...monthMeasures] as const;

export const statsCommand: CliCommand = {
  name: 'stats',
  summary:
    'Monthly statistics per officer (art. 30): recordings, hours, late exports, gaps, damaged, unconfirmed',
  usage: 'station stats [--month YYYY-MM] [--json] [--xlsx FILE]',
  options: { month: { type: 'string' }, json: { type: 'boolean' }, xlsx: { type: 'string' } },
  async run(args) {
    const monthText = optionalString(args, 'month');
    if (monthText !== undefined && !isMonth(monthText)) {
      throw new UsageError(`--month must be YYYY-MM, got "${monthText}"`);
    }
    const station = await openStation();
    try {
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
      else if (xlsx) print(`monthly report for ${month} written to ${path.resolve(xlsx)}`);
      else {
        const t = translator(language);
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
    } finally {
      station.close();
    }
  },
};
