import { text } from 'node:stream/consumers';
import { userForApiToken } from '../auth/api-tokens.ts';
import { authenticate, type User } from '../auth/users.ts';
import { appendAudit } from '../custody/audit-log.ts';
import type { LedgerStation } from '../station.ts';
import { CheckFailed, type ParsedArgs, requireString, t, UsageError } from './command.ts';

/** The options a command that records a person's act takes besides its `--by`/`--user`. */
export const provingOptions = { 'password-stdin': { type: 'boolean' } } as const;

/** The password is the first line of stdin, so it never shows in `ps` or the shell history. */
export async function readPasswordFromStdin(): Promise<string> {
  const password = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  if (!password) throw new UsageError(t('cli.error.noPasswordOnStdin'));
  return password;
}

/** For the commands that take only a password: `--password-stdin` must be given. */
export function requirePasswordStdin(args: ParsedArgs): void {
  if (!args.values['password-stdin'])
    throw new UsageError(t('cli.error.required', { what: '--password-stdin' }));
}

/**
 * The user a command names with `--by NAME` (or `--user NAME`), proven: that user's password on
 * stdin with `--password-stdin`, or that user's API token in STATION_TOKEN. A name typed on the
 * command line alone proves nothing, so it is refused; a failed proof is in the audit log.
 */
export async function actingUser(
  station: LedgerStation,
  args: ParsedArgs,
  option: 'by' | 'user' = 'by',
): Promise<User> {
  const name = requireString(args, option);
  const now = station.clock.now();
  const token = process.env.STATION_TOKEN?.trim();
  let user: User | null;
  let how: string;
  if (args.values['password-stdin']) {
    how = 'password';
    user = await authenticate(station.db, name, await readPasswordFromStdin());
  } else if (token) {
    how = 'api token';
    const holder = userForApiToken(station.db, token, now);
    user = holder?.name === name ? holder : null;
  } else {
    throw new UsageError(t('cli.actingUser.noProof', { option: `--${option}`, name }));
  }
  if (user) return user;
  appendAudit(
    station.db,
    {
      actor: name,
      action: 'access-refused',
      subjectType: 'cli',
      subjectId: process.argv.slice(2, 4).join(' '),
      detail: { reason: `unproven --${option}`, proof: how },
    },
    now,
  );
  throw new CheckFailed(
    how === 'password'
      ? t('cli.actingUser.wrongPassword', { name })
      : t('cli.actingUser.wrongToken', { name }),
  );
}
