import { type Language, translator } from '../i18n/catalogue.ts';
import { type LateExport, type MonthlyStatistics, monthMeasures, type OfficerMonth } from './statistics.ts';

// Art. 30: the monthly statistics as a workbook the office can file: one sheet per officer totals,
// one listing every late export so each number can be traced to recordings.

const columns: (keyof OfficerMonth)[] = ['badge', 'officerName', ...monthMeasures];

export async function writeMonthlyReport(
  file: string,
  report: { statistics: MonthlyStatistics; lateExports: LateExport[]; stationName: string },
  language: Language,
): Promise<void> {
  const t = translator(language);
  const { statistics } = report;
  // Loaded here, not at start-up: a station that never writes a workbook keeps its 28 MB.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = report.stationName;
  const summary = workbook.addWorksheet(statistics.month);
  summary.addRow([t('stats.title', { month: statistics.month })]).font = { bold: true, size: 14 };
  summary.addRow([report.stationName]);
  summary.addRow([]);
  const header = summary.addRow(columns.map((column) => t(`stats.${column}`)));
  header.font = { bold: true };
  for (const officer of statistics.officers) {
    summary.addRow(
      columns.map((column) =>
        column === 'badge' ? (officer.badge ?? t('common.unassigned')) : officer[column],
      ),
    );
  }
  const { totals } = statistics;
  summary.addRow([
    t('stats.total'),
    '',
    totals.recordings,
    totals.hours,
    totals.lateExports,
    totals.interruptions,
    totals.spokenReasons,
    totals.silentResumptions,
    totals.damagedRecordings,
    totals.unconfirmedRows,
    '',
    '',
    totals.onTimePercent,
  ]).font = { bold: true };
  summary.columns.forEach((column) => {
    column.width = 14;
  });

  const late = workbook.addWorksheet(t('stats.lateSheet'));
  late.addRow([
    t('ledger.id'),
    t('ledger.badge'),
    t('ledger.officerName'),
    t('ledger.start'),
    t('ledger.end'),
    t('stats.ingestedAt'),
    t('stats.hoursLate'),
  ]).font = {
    bold: true,
  };
  for (const row of report.lateExports) {
    late.addRow([
      row.id,
      row.badge ?? '',
      row.officerName ?? '',
      row.start ?? '',
      row.end ?? '',
      row.ingestedAt,
      row.hoursLate,
    ]);
  }
  late.columns.forEach((column) => {
    column.width = 22;
  });
  await workbook.xlsx.writeFile(file);
}
