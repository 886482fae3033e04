import type { ParseArgsConfig } from 'node:util';
import type { StationConfig } from '../config/schema.ts';
import { translator } from '../i18n/catalogue.ts';
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
  summary: string;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  run(args: ParsedArgs): Promise<number>;
}

/** The station's language for what the CLI prints for people (JSON keys stay English). */
export function cliText(config: Pick<StationConfig, 'station'>) {
  return translator(config.station.language);
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
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
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
