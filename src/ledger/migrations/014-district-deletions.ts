import type { Migration } from './index.ts';

// District archive, second part. On a station: when the deletion review removed a recording's district
// copy (the bucket's version is deleted once its lock has expired). In the district view's own home
// (`station district serve`): its users' grants to view footage of a station's recording, which live
// beside those users and the audit chain that records each step.
export const districtDeletions: Migration = {
  version: 14,
  name: 'district: deleted district copies; grants to view district footage',
  sql: `
    ALTER TABLE district_outbox ADD COLUMN district_deleted_at TEXT;

    CREATE TABLE district_access_requests (
      id INTEGER PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id),
      station_id TEXT NOT NULL,
      recording_id INTEGER NOT NULL,
      purpose TEXT NOT NULL,
      reason TEXT,
      days INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
      decided_by INTEGER REFERENCES users(id),
      decided_at TEXT,
      valid_until TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX district_access_requests_by_recording
      ON district_access_requests(station_id, recording_id, user_id);
  `,
};
