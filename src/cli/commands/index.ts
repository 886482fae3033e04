import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MessageKey } from '../../i18n/catalogue.ts';
import type { CliCommand } from '../command.ts';

// Each module of commands is loaded only when one of its commands runs: a command module pulls in the
// station (SQLite, the copy engine), and `serve` the dashboard, none of which `station --help` needs.
// The order here is the order of `station --help`.
const modules = {
  officers: async () => (await import('./officers.ts')).officerCommands,
  devices: async () => (await import('./devices.ts')).deviceCommands,
  ingest: async () => [(await import('./ingest.ts')).ingestCommand],
  ledger: async () => (await import('./ledger.ts')).ledgerCommands,
  verify: async () => [(await import('./verify.ts')).verifyCommand],
  access: async () => (await import('./access.ts')).accessCommands,
  export: async () => [(await import('./export.ts')).exportCommand],
  audit: async () => (await import('./audit.ts')).auditCommands,
  drivers: async () => [(await import('./drivers.ts')).driversCommand],
  serve: async () => [(await import('./serve.ts')).serveCommand],
  docks: async () => [(await import('./docks.ts')).docksCommand],
  demo: async () => [(await import('./demo.ts')).demoCommand],
  users: async () => (await import('./users.ts')).userCommands,
  accounts: async () => (await import('./accounts.ts')).accountCommands,
  cases: async () => (await import('./cases.ts')).caseCommands,
  retention: async () => (await import('./retention.ts')).retentionCommands,
  interruptions: async () => (await import('./interruptions.ts')).interruptionCommands,
  stats: async () => [(await import('./stats.ts')).statsCommand],
  district: async () => (await import('./district.ts')).districtCommands,
} satisfies Record<string, () => Promise<CliCommand[]>>;

type ModuleName = keyof typeof modules;

/** What the command line needs to choose a command and to list them, without loading any. */
export interface CommandEntry {
  name: string;
  summary: MessageKey;
  usage: string;
  module: ModuleName;
}

// Written by the build next to the compiled index (scripts/build.sh); run from the sources, there is
// none, and every module is loaded to list the commands.
const listingFile = new URL('./commands.json', import.meta.url);

export async function listCommands(): Promise<CommandEntry[]> {
  if (existsSync(listingFile)) return JSON.parse(readFileSync(listingFile, 'utf8')) as CommandEntry[];
  return collectListing();
}

export async function loadCommand(entry: CommandEntry): Promise<CliCommand> {
  const command = (await modules[entry.module]()).find((candidate) => candidate.name === entry.name);
  if (!command) throw new Error(`command "${entry.name}" is not in module ${entry.module}`);
  return command;
}

export async function writeCommandListing(): Promise<void> {
  writeFileSync(listingFile, `${JSON.stringify(await collectListing(), null, 2)}\n`);
}

async function collectListing(): Promise<CommandEntry[]> {
  const entries: CommandEntry[] = [];
  for (const [module, load] of Object.entries(modules) as [ModuleName, () => Promise<CliCommand[]>][]) {
    for (const { name, summary, usage } of await load()) entries.push({ name, summary, usage, module });
  }
  return entries;
}
