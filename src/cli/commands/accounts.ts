import { createApiToken, defaultTokenDays } from '../../auth/api-tokens.ts';
import { findUserByName } from '../../auth/users.ts';
import { AccountRefused, confirmAccount } from '../../custody/account-confirmation.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { actingUser, provingOptions, requirePasswordStdin } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  errorMessage,
  oneName,
  print,
  requireString,
  t,
  UsageError,
  wholeNumberOption,
  withLedger,
} from '../command.ts';
import { roleLabel } from './users.ts';

// The account steps only the person themselves may take: a leader confirming an account that gives
// footage rights, and a user minting their own API token (an admin never mints one for another).

export const accountCommands: CliCommand[] = [
  {
    name: 'users confirm',
    summary: 'cli.summary.users.confirm',
    usage: 'station users confirm NAME --by LEADER (--password-stdin | STATION_TOKEN)',
    options: { by: { type: 'string' }, ...provingOptions },
    async run(args) {
      const name = oneName(args);
      requireString(args, 'by');
      return withLedger(async (station) => {
        const leader = await actingUser(station, args);
        const account = findUserByName(station.db, name);
        if (!account) throw new UsageError(t('cli.error.noUser', { name }));
        try {
          confirmAccount(station.db, account.id, leader, station.clock.now());
        } catch (error) {
          if (error instanceof AccountRefused) throw new CheckFailed(errorMessage(error));
          throw error;
        }
        print(
          t('cli.users.confirmed', { name: account.name, role: roleLabel(account.role), by: leader.name }),
        );
        return 0;
      });
    },
  },
  {
    name: 'users token',
    summary: 'cli.summary.users.token',
    usage: 'station users token NAME --name TOKEN_NAME --password-stdin [--days N]',
    options: { name: { type: 'string' }, days: { type: 'string' }, ...provingOptions },
    async run(args) {
      const name = oneName(args);
      const tokenName = requireString(args, 'name');
      const days = wholeNumberOption(args, 'days', defaultTokenDays);
      requirePasswordStdin(args);
      return withLedger(async (station) => {
        const user = await actingUser(station, { ...args, values: { ...args.values, by: name } });
        const now = station.clock.now();
        let minted: ReturnType<typeof createApiToken>;
        try {
          minted = createApiToken(station.db, user.id, tokenName, now, days);
        } catch (error) {
          if (error instanceof RangeError) throw new UsageError(errorMessage(error));
          throw error;
        }
        appendAudit(
          station.db,
          {
            actor: user.name,
            action: 'user-change',
            subjectType: 'user',
            subjectId: user.id,
            detail: { apiToken: minted.id, name: tokenName, expiresAt: minted.expiresAt, via: 'cli' },
          },
          now,
        );
        print(minted.token);
        return 0;
      });
    },
  },
];
