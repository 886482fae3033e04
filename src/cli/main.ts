import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.ts';
import { DriverError } from '../drivers/registry.ts';
import { LedgerError } from '../ledger/officers.ts';
import { CheckFailed, type CliCommand, exitCodes, print, UsageError } from './command.ts';
import { commands } from './commands/index.ts';

function findCommand(words: string[]): { command: CliCommand; rest: string[] } | null {
  const matches = commands
    .filter((command) => {
      const name = command.name.split(' ');
      return name.every((word, index) => words[index] === word);
    })
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = matches[0];
  return command ? { command, rest: words.slice(command.name.split(' ').length) } : null;
}

function help(): string {
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
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    print(help());
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    // `station users` alone: name the commands of that group rather than the whole list.
    const group = commands.filter((command) => command.name.startsWith(`${argv[0]} `));
    const choices = group.map((command) => `  ${command.usage}`).join('\n');
    process.stderr.write(
      group.length
        ? `station ${argv[0]}: which one?\n${choices}\n`
        : `station: unknown command "${argv.join(' ')}"\n\n${help()}\n`,
    );
    return exitCodes.usage;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    print(`Usage: ${command.usage}\n\n${command.summary}`);
    return exitCodes.ok;
  }
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    return await command.run(parsed as never);
  } catch (error) {
    return reportError(error, command);
  }
}

function reportError(error: unknown, command: CliCommand): number {
  const message = (error as Error).message;
  if (error instanceof CheckFailed) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.checkFailed;
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`station ${command.name}: ${message}\nUsage: ${command.usage}\n`);
    return exitCodes.usage;
  }
  if (error instanceof ConfigError || error instanceof DriverError || error instanceof LedgerError) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.usage;
  }
  process.stderr.write(`station ${command.name}: unexpected error: ${(error as Error).stack ?? message}\n`);
  return exitCodes.checkFailed;
}

process.exitCode = await main(process.argv.slice(2));
