import type { ParseArgsConfig } from 'node:util';
import { configuredLanguage } from '../config/config.ts';
import { type MessageKey, translator } from '../i18n/catalogue.ts';
import { errorText } from '../i18n/translated-error.ts';
import type { LedgerStation, Station } from '../station.ts';
import { withZoneOffsets } from '../time/zone.ts';

/** Wrong words on the command line: exit code 2 with the command's usage. */
export class UsageError extends Error {}
/** A check that ran and failed (verification, refused export): exit code 1. */
export class CheckFailed extends Error {}

export const exitCodes = { ok: 0, checkFailed: 1, usage: 2 } as const;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CliCommand {
  /** Words that select it, e.g. "officers add". */
  name: string;
  /** What `station --help` says of it, in the station's language. */
  summary: MessageKey;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  run(args: ParsedArgs): Promise<number>;
}

let translate: ReturnType<typeof translator> | null = null;

/**
 * Everything the CLI prints for people, in the station's language (`station.language` in its
 * configuration, read once); JSON keys and codes stay English.
 */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  translate ??= translator(configuredLanguage());
  return translate(key, values);
}

/** What an error says to the person at the terminal: its catalogue message when it carries one. */
export const errorMessage = (error: unknown): string => errorText(t, error);

/** Opens the station, copy engine and all, for one command and closes it however the command ends. */
export async function withStation<T>(run: (station: Station) => T | Promise<T>): Promise<T> {
  // Loaded here: `station --help` and the commands that only read the ledger file do not need it.
  const { openStation } = await import('../station.ts');
  return using(await openStation(), run);
}

/** The same for a command on the ledger alone, which does not load the copy engine. */
export async function withLedger<T>(run: (station: LedgerStation) => T | Promise<T>): Promise<T> {
  const { openLedger } = await import('../station.ts');
  return using(await openLedger(), run);
}

async function using<S extends LedgerStation, T>(
  station: S,
  run: (station: S) => T | Promise<T>,
): Promise<T> {
  try {
    return await run(station);
  } finally {
    station.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** JSON for scripts; given the station's zone, every stored UTC time in it is written with the zone's offset. */
export function printJson(value: unknown, zone?: string): void {
  const shown = zone ? withZoneOffsets(value, zone) : value;
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
}

export function requireString(args: ParsedArgs, name: string): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(t('cli.error.required', { what: `--${name}` }));
  return value;
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Fixed-width text table for terminals; wide (CJK) characters count double. */
export function formatTable(header: string[], rows: string[][]): string {
  const width = (text: string) =>
    [...text].reduce((sum, char) => sum + (/[\u1100-\uffff]/.test(char) ? 2 : 1), 0);
  const widths = header.map((title, column) =>
    Math.max(width(title), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell + ' '.repeat(widths[column] - width(cell)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A whole number option (`--days 7`), or `fallback` when it is not given. */
export function wholeNumberOption(
  args: ParsedArgs,
  name: string,
  fallback: number,
  { allowNegative = false } = {},
): number {
  const value = args.values[name];
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || (!allowNegative && number < 1))
    throw new UsageError(
      t(allowNegative ? 'cli.error.integer' : 'cli.error.wholeNumber', { option: `--${name}` }),
    );
  return number;
}

/** The one NAME word a command takes (`station users passwd NAME`). */
export function oneName(args: ParsedArgs): string {
  const [name, ...extra] = args.positionals;
  if (!name || extra.length > 0) throw new UsageError(t('cli.error.oneUserName'));
  return name;
}
