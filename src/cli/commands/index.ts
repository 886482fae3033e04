import type { CliCommand } from '../command.ts';
import { accessCommands } from './access.ts';
import { accountCommands } from './accounts.ts';
import { auditCommands } from './audit.ts';
import { caseCommands } from './cases.ts';
import { demoCommand } from './demo.ts';
import { deviceCommands } from './devices.ts';
import { districtCommands } from './district.ts';
import { docksCommand } from './docks.ts';
import { driversCommand } from './drivers.ts';
import { exportCommand } from './export.ts';
import { ingestCommand } from './ingest.ts';
import { interruptionCommands } from './interruptions.ts';
import { ledgerCommand } from './ledger.ts';
import { officerCommands } from './officers.ts';
import { retentionCommands } from './retention.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { userCommands } from './users.ts';
import { verifyCommand } from './verify.ts';

export const commands: CliCommand[] = [
  ...officerCommands,
  ...deviceCommands,
  ingestCommand,
  ledgerCommand,
  verifyCommand,
  ...accessCommands,
  exportCommand,
  ...auditCommands,
  driversCommand,
  serveCommand,
  docksCommand,
  demoCommand,
  ...userCommands,
  ...accountCommands,
  ...caseCommands,
  ...retentionCommands,
  ...interruptionCommands,
  statsCommand,
  ...districtCommands,
];
