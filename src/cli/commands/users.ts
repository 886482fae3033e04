import { userInfo } from 'node:os';
import { isRole, type Role, roles } from '../../auth/roles.ts';
import { findUserByName, listUsers, setPassword, UserError } from '../../auth/users.ts';
import { addAccount } from '../../custody/account-confirmation.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { formatDateTime } from '../../i18n/format.ts';
import type { LedgerStation } from '../../station.ts';
import { readPasswordFromStdin, requirePasswordStdin } from '../acting-user.ts';
import {
  type CliCommand,
  errorMessage,
  formatTable,
  oneName,
  optionalString,
  type ParsedArgs,
  print,
  printJson,
  t,
  UsageError,
  withLedger,
} from '../command.ts';

export const roleLabel = (role: string) => t(`dash.role.${role}` as MessageKey);

/**
 * The NAME and the password on stdin that `users add` and `users passwd` take, then the work on the
 * station; a user the rules refuse (a short password, a taken name) is bad usage.
 */
async function withNameAndPassword(
  args: ParsedArgs,
  work: (station: LedgerStation, name: string, password: string) => Promise<number>,
): Promise<number> {
  const name = oneName(args);
  requirePasswordStdin(args);
  const password = await readPasswordFromStdin();
  return withLedger(async (station) => {
    try {
      return await work(station, name, password);
    } catch (error) {
      if (error instanceof UserError) throw new UsageError(errorMessage(error));
      throw error;
    }
  });
}

export const userCommands: CliCommand[] = [
  {
    name: 'users add',
    summary: 'cli.summary.users.add',
    usage: `station users add NAME --role ${roles.join('|')} [--real-name NAME] [--badge B] --password-stdin [--json]`,
    options: {
      role: { type: 'string' },
      badge: { type: 'string' },
      'real-name': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const role = optionalString(args, 'role');
      if (!role || !isRole(role)) throw new UsageError(t('cli.error.roleOneOf', { roles: roles.join('|') }));
      return withNameAndPassword(args, async (station, name, password) => {
        // A clerk, leader, auditor or officer waits for a leader's confirmation (the first leader does not).
        const user = await addAccount(
          station.db,
          {
            name,
            role: role as Role,
            password,
            badge: optionalString(args, 'badge'),
            realName: optionalString(args, 'real-name'),
          },
          `cli:${userInfo().username}`,
          station.clock.now(),
        );
        if (args.values.json) printJson(user, station.config.station.timezone);
        else {
          const added = t('cli.users.added', { name: user.name, role: roleLabel(user.role) });
          print(user.awaitingConfirmation ? `${added}${t('cli.users.awaitingConfirmation')}` : added);
        }
        return 0;
      });
    },
  },
  {
    name: 'users passwd',
    summary: 'cli.summary.users.passwd',
    usage: 'station users passwd NAME --password-stdin',
    options: { 'password-stdin': { type: 'boolean' } },
    run: (args) =>
      withNameAndPassword(args, async (station, name, password) => {
        const user = findUserByName(station.db, name);
        if (!user) throw new UsageError(t('cli.error.noUser', { name }));
        await setPassword(station.db, user.id, password);
        // Whoever can run the CLI on the station PC owns its files; the log says it was done here.
        appendAudit(
          station.db,
          {
            actor: 'station',
            action: 'password-change',
            subjectType: 'user',
            subjectId: user.id,
            detail: { name: user.name, via: 'cli' },
          },
          station.clock.now(),
        );
        print(t('cli.users.passwordChanged', { name: user.name }));
        return 0;
      }),
  },
  {
    name: 'users list',
    summary: 'cli.summary.users.list',
    usage: 'station users list [--json]',
    options: { json: { type: 'boolean' } },
    run: (args) =>
      withLedger((station) => {
        const users = listUsers(station.db);
        if (args.values.json) printJson(users, station.config.station.timezone);
        else
          print(
            formatTable(
              [
                t('cli.users.name'),
                t('dash.users.realName'),
                t('cli.users.role'),
                t('ledger.badge'),
                t('cli.users.disabled'),
                t('cli.users.created'),
              ],
              users.map((user) => [
                user.name,
                user.realName ?? '',
                roleLabel(user.role),
                user.badge ?? '',
                user.disabled ? t('common.yes') : t('common.no'),
                formatDateTime(user.createdAt, station.config.station.timezone),
              ]),
            ),
          );
        return 0;
      }),
  },
];
