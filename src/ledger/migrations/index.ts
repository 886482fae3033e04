import { core } from './001-core.ts';
import { peopleAndAudit } from './002-people-and-audit.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Append only: a migration that has shipped is never edited, a new version follows it.
export const migrations: Migration[] = [core, peopleAndAudit];
