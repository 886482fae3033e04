import { type Language, type MessageKey, translator } from '../i18n/catalogue.ts';
import { formatDateTime, formatDuration } from '../i18n/format.ts';
import { machineTime } from '../time/zone.ts';
import { playbackStatus } from './playback-status.ts';
import type { Recording } from './recordings.ts';

// The ledger as exports and the CLI table give it (art. 23: officer, badge, date and time span):
// times on the station's wall clock as people read them, except the confirmation, kept to the
// second with its offset so it can be matched with the audit log; playback as people see it.
type Cell = (recording: Recording, t: ReturnType<typeof translator>, zone: string) => string;
const columns: {
  key: MessageKey;
  value: Cell;
  /** A number in a spreadsheet, so it sorts and sums there. */
  numeric?: true;
  /** The value a spreadsheet cell holds instead of the text, and the format that shows it. */
  spreadsheet?: { value: (recording: Recording) => number | null; format: string };
}[] = [
  { key: 'ledger.id', value: (r) => String(r.id), numeric: true },
  { key: 'ledger.officerName', value: (r, t) => r.officerName ?? t('common.unassigned') },
  { key: 'ledger.badge', value: (r) => r.badge ?? '' },
  { key: 'ledger.date', value: (r) => r.date ?? '' },
  { key: 'ledger.start', value: (r, _t, zone) => formatDateTime(r.start, zone) },
  { key: 'ledger.end', value: (r, _t, zone) => formatDateTime(r.end, zone) },
  {
    key: 'ledger.duration',
    value: (r) => (r.kind === 'photo' ? '' : formatDuration(r.durationSeconds)),
    // A fraction of a day is what Excel calls a duration: it sums, and shows as 00:05:01.
    spreadsheet: {
      value: (r) =>
        r.kind === 'photo' || r.durationSeconds === null ? null : Math.round(r.durationSeconds) / 86_400,
      format: '[h]:mm:ss',
    },
  },
  { key: 'ledger.device', value: (r) => r.deviceSerial ?? '' },
  { key: 'ledger.kind', value: (r, t) => t(`kind.${r.kind}` as MessageKey) },
  { key: 'ledger.playback', value: (r, t) => t(`playback.${playbackStatus(r)}`) },
  { key: 'ledger.late', value: (r, t) => (r.late ? t('common.yes') : t('common.no')) },
  { key: 'ledger.confirmedBy', value: (r) => r.confirmedBy ?? '' },
  { key: 'ledger.confirmedAt', value: (r, _t, zone) => machineTime(r.confirmedAt, zone) ?? '' },
  { key: 'ledger.sha256', value: (r) => r.sha256 },
  { key: 'ledger.archivePath', value: (r) => r.archivePath ?? '' },
  { key: 'ledger.sourcePath', value: (r) => r.sourcePath },
];

/** The columns a terminal has room for: who, when, how long, and what became of it. */
export const terminalColumns = columns.findIndex((column) => column.key === 'ledger.sha256');

export function ledgerHeader(language: Language): string[] {
  const t = translator(language);
  return columns.map((column) => t(column.key));
}

export function ledgerCells(recording: Recording, language: Language, zone: string): string[] {
  const t = translator(language);
  return columns.map((column) => column.value(recording, t, zone));
}

/** The same cells with numbers as numbers, for a spreadsheet. */
export function ledgerTypedCells(
  recording: Recording,
  language: Language,
  zone: string,
): (string | number | null)[] {
  return ledgerCells(recording, language, zone).map((cell, index) => {
    const column = columns[index];
    if (column.spreadsheet) return column.spreadsheet.value(recording);
    return column.numeric && cell !== '' ? Number(cell) : cell;
  });
}

/** Number formats of the spreadsheet columns that need one, by column position (1-based, as Excel counts). */
export const spreadsheetFormats = columns.flatMap((column, index) =>
  column.spreadsheet ? [{ column: index + 1, format: column.spreadsheet.format }] : [],
);

/** The line under every export: how many recordings it holds. */
export function ledgerTotal(count: number, language: Language): string {
  return translator(language)('ledger.total', { count });
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
export function ledgerCsv(recordings: Recording[], language: Language, zone: string): string {
  const lines = [
    ledgerHeader(language),
    ...recordings.map((recording) => ledgerCells(recording, language, zone)),
    [ledgerTotal(recordings.length, language)],
  ];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
