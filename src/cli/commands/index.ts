import type { CliCommand } from '../command.ts';
import { deviceCommands } from './devices.ts';
import { driversCommand } from './drivers.ts';
import { ingestCommand } from './ingest.ts';
import { ledgerCommand } from './ledger.ts';
import { officerCommands } from './officers.ts';
import { userCommands } from './users.ts';
import { verifyCommand } from './verify.ts';

export const commands: CliCommand[] = [
  ...officerCommands,
  ...deviceCommands,
  ingestCommand,
  ledgerCommand,
  verifyCommand,
  driversCommand,
  ...userCommands,
];
