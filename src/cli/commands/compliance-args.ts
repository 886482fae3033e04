import { userInfo } from 'node:os';
import { optionalString, type ParsedArgs, UsageError } from '../command.ts';

/** The NUMBER or ID word after the command name. */
export function positional(args: ParsedArgs, index: number, name: string): string {
  const value = args.positionals[index];
  if (value === undefined || value.trim() === '') throw new UsageError(`${name} is required`);
  return value;
}

export function recordingIdArgument(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`recording id must be a number, got "${text}"`);
  return Number(text);
}

/** Who the audit log names for a CLI action: --by, else the operating-system account. */
export function cliActor(args: ParsedArgs): string {
  return optionalString(args, 'by') ?? `cli:${userInfo().username}`;
}
