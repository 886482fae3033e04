import { createApiToken, defaultTokenDays } from '../../auth/api-tokens.ts';
import { findUserByName } from '../../auth/users.ts';
import { AccountRefused, confirmAccount } from '../../custody/account-confirmation.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { openStation } from '../../station.ts';
import { actingUser, provingOptions } from '../acting-user.ts';
import {
  CheckFailed,
  type CliCommand,
  optionalString,
  print,
  requireString,
  UsageError,
} from '../command.ts';

// The account steps only the person themselves may take: a leader confirming an account that gives
// footage rights, and a user minting their own API token (an admin never mints one for another).

export const accountCommands: CliCommand[] = [
  {
    name: 'users confirm',
    summary: 'Confirm an account in a footage role made by an admin (a leader; it is inactive until then)',
    usage: 'station users confirm NAME --by LEADER (--password-stdin | STATION_TOKEN)',
    options: { by: { type: 'string' }, ...provingOptions },
    async run(args) {
      const [name, ...extra] = args.positionals;
      if (!name || extra.length > 0) throw new UsageError('give exactly one user NAME');
      requireString(args, 'by');
      const station = await openStation();
      try {
        const leader = await actingUser(station, args);
        const account = findUserByName(station.db, name);
        if (!account) throw new UsageError(`no user "${name}"`);
        try {
          confirmAccount(station.db, account.id, leader, station.clock.now());
        } catch (error) {
          if (error instanceof AccountRefused) throw new CheckFailed(error.message);
          throw error;
        }
        print(`user ${account.name} (${account.role}) confirmed by ${leader.name}`);
        return 0;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'users token',
    summary: 'Mint an API token for yourself (proven by your password); printed once',
    usage: 'station users token NAME --name TOKEN_NAME --password-stdin [--days N]',
    options: { name: { type: 'string' }, days: { type: 'string' }, ...provingOptions },
    async run(args) {
      const [name, ...extra] = args.positionals;
      if (!name || extra.length > 0) throw new UsageError('give exactly one user NAME');
      const tokenName = requireString(args, 'name');
      const daysText = optionalString(args, 'days');
      const days = daysText === undefined ? defaultTokenDays : Number(daysText);
      if (!Number.isInteger(days) || days < 1) throw new UsageError('--days must be a whole number >= 1');
      if (!args.values['password-stdin']) throw new UsageError('--password-stdin is required');
      const station = await openStation();
      try {
        const user = await actingUser(station, { ...args, values: { ...args.values, by: name } });
        const now = station.clock.now();
        const { id, token, expiresAt } = createApiToken(station.db, user.id, tokenName, now, days);
        appendAudit(
          station.db,
          {
            actor: user.name,
            action: 'user-change',
            subjectType: 'user',
            subjectId: user.id,
            detail: { apiToken: id, name: tokenName, expiresAt, via: 'cli' },
          },
          now,
        );
        print(token);
        return 0;
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      } finally {
        station.close();
      }
    },
  },
];
