import { type Language, type MessageKey, translator } from '../i18n/catalogue.ts';
import type { Recording } from './recordings.ts';

const columns: {
  key: MessageKey;
  value: (recording: Recording, t: ReturnType<typeof translator>) => string;
  /** A number in a spreadsheet, so it sorts and sums there. */
  numeric?: true;
}[] = [
  { key: 'ledger.id', value: (r) => String(r.id), numeric: true },
  { key: 'ledger.officerName', value: (r, t) => r.officerName ?? t('common.unassigned') },
  { key: 'ledger.badge', value: (r) => r.badge ?? '' },
  { key: 'ledger.date', value: (r) => r.date ?? '' },
  { key: 'ledger.start', value: (r) => r.start ?? '' },
  { key: 'ledger.end', value: (r) => r.end ?? '' },
  {
    key: 'ledger.duration',
    value: (r) => (r.durationSeconds === null ? '' : r.durationSeconds.toFixed(1)),
    numeric: true,
  },
  { key: 'ledger.device', value: (r) => r.deviceSerial ?? '' },
  { key: 'ledger.kind', value: (r, t) => t(`kind.${r.kind}` as MessageKey) },
  { key: 'ledger.playback', value: (r, t) => t(`playback.${r.playback}` as MessageKey) },
  { key: 'ledger.late', value: (r, t) => (r.late ? t('common.yes') : t('common.no')) },
  { key: 'ledger.confirmed', value: (r) => r.confirmedAt ?? '' },
  { key: 'ledger.sha256', value: (r) => r.sha256 },
  { key: 'ledger.archivePath', value: (r) => r.archivePath ?? '' },
  { key: 'ledger.sourcePath', value: (r) => r.sourcePath },
];

export function ledgerHeader(language: Language): string[] {
  const t = translator(language);
  return columns.map((column) => t(column.key));
}

export function ledgerCells(recording: Recording, language: Language): string[] {
  const t = translator(language);
  return columns.map((column) => column.value(recording, t));
}

/** The same cells with numbers as numbers, for a spreadsheet. */
export function ledgerTypedCells(recording: Recording, language: Language): (string | number)[] {
  return ledgerCells(recording, language).map((cell, index) =>
    columns[index].numeric && cell !== '' ? Number(cell) : cell,
  );
}

// A leading = + - @ (or their full-width forms, which Excel and WPS read alike), also after spaces,
// tabs or no-break spaces, would make a spreadsheet run the cell as a formula.
const formulaStart = /^[\s\u00a0\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

/** A cell a spreadsheet shows as text: formula-like text gets a leading apostrophe. */
function spreadsheetText(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

function csvCell(text: string): string {
  const safe = spreadsheetText(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV that Excel opens with Chinese intact: UTF-8 with BOM, CRLF line ends. */
export function ledgerCsv(recordings: Recording[], language: Language): string {
  const lines = [ledgerHeader(language), ...recordings.map((recording) => ledgerCells(recording, language))];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
