import ExcelJS from 'exceljs';
import type { Language } from '../../i18n/catalogue.ts';
import { ledgerHeader, ledgerTotal, ledgerTypedCells, spreadsheetFormats } from '../../ledger/ledger-csv.ts';
import type { Recording } from '../../ledger/recordings.ts';

/** The same columns as the CSV export, as an Excel workbook: ids and durations as numbers, text as text (never formulas). */
export async function ledgerXlsx(
  recordings: Recording[],
  language: Language,
  zone: string,
  sheetName: string,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(ledgerHeader(language)).font = { bold: true };
  for (const recording of recordings) sheet.addRow(ledgerTypedCells(recording, language, zone));
  sheet.addRow([ledgerTotal(recordings.length, language)]).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const column of sheet.columns) column.width = 20;
  for (const { column, format } of spreadsheetFormats) sheet.getColumn(column).numFmt = format;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
