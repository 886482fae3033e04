import { userInfo } from 'node:os';
import { isRole, roles } from '../../auth/roles.ts';
import { findUserByName, listUsers, setPassword, UserError } from '../../auth/users.ts';
import { addAccount } from '../../custody/account-confirmation.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { openStation } from '../../station.ts';
import { isoInZone } from '../../time/zone.ts';
import { readPasswordFromStdin } from '../acting-user.ts';
import { type CliCommand, formatTable, optionalString, print, printJson, UsageError } from '../command.ts';

export const userCommands: CliCommand[] = [
  {
    name: 'users add',
    summary: 'Add a dashboard user (the first admin is made this way)',
    usage: `station users add NAME --role ${roles.join('|')} [--badge B] --password-stdin [--json]`,
    options: {
      role: { type: 'string' },
      badge: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    async run(args) {
      const [name, ...extra] = args.positionals;
      if (!name || extra.length > 0) throw new UsageError('give exactly one user NAME');
      const role = optionalString(args, 'role');
      if (!role || !isRole(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
      if (!args.values['password-stdin']) throw new UsageError('--password-stdin is required');
      const password = await readPasswordFromStdin();
      const station = await openStation();
      try {
        // A clerk, leader, auditor or officer waits for a leader's confirmation (the first leader does not).
        const user = await addAccount(
          station.db,
          { name, role, password, badge: optionalString(args, 'badge') },
          `cli:${userInfo().username}`,
          station.clock.now(),
        );
        if (args.values.json) printJson(user, station.config.station.timezone);
        else
          print(
            `user ${user.name} (${user.role}) added${user.awaitingConfirmation ? '; active once a leader confirms it (station users confirm)' : ''}`,
          );
        return 0;
      } catch (error) {
        if (error instanceof UserError) throw new UsageError(error.message);
        throw error;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'users passwd',
    summary: "Set a dashboard user's password (ends their sessions)",
    usage: 'station users passwd NAME --password-stdin',
    options: { 'password-stdin': { type: 'boolean' } },
    async run(args) {
      const [name, ...extra] = args.positionals;
      if (!name || extra.length > 0) throw new UsageError('give exactly one user NAME');
      if (!args.values['password-stdin']) throw new UsageError('--password-stdin is required');
      const password = await readPasswordFromStdin();
      const station = await openStation();
      try {
        const user = findUserByName(station.db, name);
        if (!user) throw new UsageError(`no user "${name}"`);
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
        print(`password of ${user.name} changed; their sessions have ended`);
        return 0;
      } catch (error) {
        if (error instanceof UserError) throw new UsageError(error.message);
        throw error;
      } finally {
        station.close();
      }
    },
  },
  {
    name: 'users list',
    summary: 'List dashboard users',
    usage: 'station users list [--json]',
    options: { json: { type: 'boolean' } },
    async run(args) {
      const station = await openStation();
      try {
        const users = listUsers(station.db);
        if (args.values.json) printJson(users, station.config.station.timezone);
        else
          print(
            formatTable(
              ['name', 'role', 'badge', 'disabled', 'created'],
              users.map((u) => [
                u.name,
                u.role,
                u.badge ?? '',
                u.disabled ? 'yes' : 'no',
                isoInZone(new Date(u.createdAt), station.config.station.timezone),
              ]),
            ),
          );
        return 0;
      } finally {
        station.close();
      }
    },
  },
];
