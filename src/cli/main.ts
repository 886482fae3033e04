import { parseArgs } from 'node:util';
import { CheckFailed, type CliCommand, exitCodes, print, UsageError } from './command.ts';
import { type CommandEntry, listCommands, loadCommand } from './commands/index.ts';

function findCommand(
  commands: CommandEntry[],
  words: string[],
): { command: CommandEntry; rest: string[] } | null {
  const matches = commands
    .filter((command) => {
      const name = command.name.split(' ');
      return name.every((word, index) => words[index] === word);
    })
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = matches[0];
  return command ? { command, rest: words.slice(command.name.split(' ').length) } : null;
}

function help(commands: CommandEntry[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'station — body-worn camera collection station (执法记录仪采集站)',
    '',
    'Usage: station <command> [options]',
    '',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Environment: STATION_HOME (data folder, default ./data), STATION_CONFIG (override file).',
    'Exit codes: 0 success, 1 a check failed, 2 bad usage or configuration.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const commands = await listCommands();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    print(help(commands));
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    // `station users` alone: name the commands of that group rather than the whole list.
    const group = commands.filter((command) => command.name.startsWith(`${argv[0]} `));
    const choices = group.map((command) => `  ${command.usage}`).join('\n');
    process.stderr.write(
      group.length
        ? `station ${argv[0]}: which one?\n${choices}\n`
        : `station: unknown command "${argv.join(' ')}"\n\n${help(commands)}\n`,
    );
    return exitCodes.usage;
  }
  const { rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    print(`Usage: ${found.command.usage}\n\n${found.command.summary}`);
    return exitCodes.ok;
  }
  const command = await loadCommand(found.command);
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    return await command.run(parsed as never);
  } catch (error) {
    return await reportError(error, command);
  }
}

async function reportError(error: unknown, command: CliCommand): Promise<number> {
  const message = (error as Error).message;
  if (error instanceof CheckFailed) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.checkFailed;
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`station ${command.name}: ${message}\nUsage: ${command.usage}\n`);
    return exitCodes.usage;
  }
  // Loaded only now: the modules that define these errors are not needed to start a command.
  const [{ ConfigError }, { DriverError }, { LedgerError }] = await Promise.all([
    import('../config/config.ts'),
    import('../drivers/registry.ts'),
    import('../ledger/officers.ts'),
  ]);
  if (error instanceof ConfigError || error instanceof DriverError || error instanceof LedgerError) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.usage;
  }
  process.stderr.write(`station ${command.name}: unexpected error: ${(error as Error).stack ?? message}\n`);
  return exitCodes.checkFailed;
}

process.exitCode = await main(process.argv.slice(2));
