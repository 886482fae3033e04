import type { Migration } from './index.ts';

// The recorder's battery as read at the dock, beside its storage: the dock card warns of both.
export const dockBattery: Migration = {
  version: 15,
  name: 'recorder battery on the dock',
  sql: `
    ALTER TABLE docks ADD COLUMN battery_percent REAL;
  `,
};
