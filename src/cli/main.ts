import { parseArgs } from 'node:util';
import { TranslatedError } from '../i18n/translated-error.ts';
import { CheckFailed, type CliCommand, errorMessage, exitCodes, print, t, UsageError } from './command.ts';
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
    t('cli.help.title'),
    '',
    t('cli.help.usage'),
    '',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${t(command.summary)}`),
    '',
    t('cli.help.environment'),
    t('cli.help.exitCodes'),
  ].join('\n');
}

const usageLine = (usage: string) => t('cli.usage', { usage });

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
        ? `${t('cli.whichOne', { group: argv[0] })}\n${choices}\n`
        : `${t('cli.unknownCommand', { command: argv.join(' ') })}\n\n${help(commands)}\n`,
    );
    return exitCodes.usage;
  }
  const { rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    print(`${usageLine(found.command.usage)}\n\n${t(found.command.summary)}`);
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
  // An error carrying a message key speaks the station's language; others say what they say.
  const message = errorMessage(error);
  if (error instanceof CheckFailed) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.checkFailed;
  }
  const parseError = parseArgsMessage(error);
  if (error instanceof UsageError || parseError) {
    process.stderr.write(`station ${command.name}: ${parseError ?? message}\n${usageLine(command.usage)}\n`);
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
  // Any other refusal with catalogue words (a correction, a rule of custody) is a check that failed.
  if (error instanceof TranslatedError && error.key) {
    process.stderr.write(`station ${command.name}: ${message}\n`);
    return exitCodes.checkFailed;
  }
  process.stderr.write(
    `station ${command.name}: ${t('cli.unexpectedError', { detail: (error as Error).stack ?? message })}\n`,
  );
  return exitCodes.checkFailed;
}

// node:util parseArgs says what is wrong in English; the code and the option it names are enough.
const parseArgsMessages: Record<string, Parameters<typeof t>[0]> = {
  ERR_PARSE_ARGS_UNKNOWN_OPTION: 'cli.error.unknownOption',
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: 'cli.error.optionValue',
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: 'cli.error.unexpectedWord',
};

function parseArgsMessage(error: unknown): string | null {
  const { code, message } = error as { code?: string; message?: string };
  const key = code ? parseArgsMessages[code] : undefined;
  if (!key) return null;
  const option = /'(-{1,2}[^' ]+)/.exec(message ?? '')?.[1] ?? /'([^']+)'/.exec(message ?? '')?.[1] ?? '';
  return t(key, { option });
}

process.exitCode = await main(process.argv.slice(2));
