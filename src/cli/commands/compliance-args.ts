import { userInfo } from 'node:os';
import type { LedgerStation } from '../../station.ts';
import { actingUser } from '../acting-user.ts';
import { optionalString, type ParsedArgs, t, UsageError } from '../command.ts';

/** The NUMBER or ID word after the command name. */
export function positional(args: ParsedArgs, index: number, name: string): string {
  const value = args.positionals[index];
  if (value === undefined || value.trim() === '')
    throw new UsageError(t('cli.error.required', { what: name }));
  return value;
}

export function recordingIdArgument(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(t('cli.error.recordingId', { value: text }));
  return Number(text);
}

/**
 * Who the audit log names for a CLI action: the --by user, proven (see acting-user.ts), else the
 * operating-system account, which is who typed it.
 */
export async function cliActor(station: LedgerStation, args: ParsedArgs): Promise<string> {
  if (optionalString(args, 'by') === undefined) return `cli:${userInfo().username}`;
  return (await actingUser(station, args)).name;
}
