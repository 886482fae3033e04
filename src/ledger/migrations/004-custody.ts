import type { Migration } from './index.ts';

// Chain of custody (art. 25, 27, 28, 29): corrections beside the rows they correct, access requests
// and their grants, and the nightly fixity job's cursor and findings.
export const custody: Migration = {
  version: 4,
  name: 'corrections, access requests and grants, fixity cursor and failures',
  sql: `
    -- A ledger row is never silently rewritten: every change of a sealed field is a row here,
    -- and the same change is an audit entry, so the chain vouches for it.
    CREATE TABLE corrections (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      field TEXT NOT NULL,
      old_value TEXT,
      new_value TEXT,
      corrected_by TEXT NOT NULL,
      reason TEXT NOT NULL,
      at TEXT NOT NULL,
      audit_id INTEGER NOT NULL REFERENCES audit_log(id)
    );
    CREATE INDEX corrections_by_recording ON corrections(recording_id, id);

    CREATE TABLE access_requests (
      id INTEGER PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id),
      purpose TEXT NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('view', 'copy')),
      case_number TEXT,
      days INTEGER NOT NULL CHECK (days >= 1),
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
      decided_by INTEGER REFERENCES users(id),
      decided_at TEXT,
      valid_from TEXT,
      valid_until TEXT,
      created_at TEXT NOT NULL
    );

    CREATE TABLE access_request_recordings (
      request_id INTEGER NOT NULL REFERENCES access_requests(id),
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      PRIMARY KEY (request_id, recording_id)
    );
    CREATE INDEX access_request_recordings_by_recording ON access_request_recordings(recording_id);

    -- One row: where the nightly re-verification stopped, so the next night resumes there.
    CREATE TABLE fixity_cursor (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      last_recording_id INTEGER NOT NULL DEFAULT 0,
      cycle_started_at TEXT,
      cycle_bytes INTEGER NOT NULL DEFAULT 0,
      last_cycle_completed_at TEXT,
      last_run_at TEXT
    );

    CREATE TABLE fixity_failures (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      archive_path TEXT NOT NULL,
      problem TEXT NOT NULL CHECK (problem IN ('missing', 'changed', 'unreadable')),
      expected_sha256 TEXT NOT NULL,
      actual_sha256 TEXT,
      detail TEXT,
      detected_at TEXT NOT NULL,
      resolved_at TEXT
    );
    CREATE INDEX fixity_failures_open ON fixity_failures(recording_id) WHERE resolved_at IS NULL;
  `,
};
