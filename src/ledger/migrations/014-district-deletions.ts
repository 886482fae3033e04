import type { Migration } from './index.ts';

// The district copy of a recording the station's deletion review removed: the bucket's version is
// deleted once its lock has expired, and the outbox row says when.
export const districtDeletions: Migration = {
  version: 14,
  name: 'district outbox: when the deletion review removed the district copy',
  sql: `
    ALTER TABLE district_outbox ADD COLUMN district_deleted_at TEXT;
  `,
};
