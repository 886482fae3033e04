import type { Migration } from './index.ts';

// The duties over time (art. 4, 18, 20, 22, 24): cases and their stages, holds, activity tags,
// deletion through review only, and the last run of every scheduled job so restarts catch up.
export const compliance: Migration = {
  version: 5,
  name: 'compliance: cases, holds, activity tags, deletion proposals, job runs',
  sql: `
    -- Types and stages are checked in code (src/compliance/cases.ts) so a new one needs no migration.
    CREATE TABLE cases (
      id INTEGER PRIMARY KEY,
      number TEXT NOT NULL UNIQUE,
      enforcement_type TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      -- When the final decision was served (art. 24): the six months start here.
      served_at TEXT,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      closed_at TEXT
    );

    CREATE TABLE recording_cases (
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      case_id INTEGER NOT NULL REFERENCES cases(id),
      stage TEXT,
      linked_at TEXT NOT NULL,
      linked_by TEXT NOT NULL,
      PRIMARY KEY (recording_id, case_id)
    );
    CREATE INDEX recording_cases_by_case ON recording_cases(case_id);

    -- Permanent: footage used as evidence, of obstruction of duty, of major or mass incidents.
    -- A hold covers one recording or every recording of one case; it is never lifted.
    CREATE TABLE holds (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER REFERENCES recordings(id),
      case_id INTEGER REFERENCES cases(id),
      kind TEXT NOT NULL CHECK (kind IN ('evidence', 'obstruction', 'major-incident', 'mass-incident')),
      note TEXT,
      placed_at TEXT NOT NULL,
      placed_by TEXT NOT NULL,
      CHECK ((recording_id IS NULL) <> (case_id IS NULL))
    );
    CREATE INDEX holds_by_recording ON holds(recording_id);
    CREATE INDEX holds_by_case ON holds(case_id);

    -- Art. 20 activities that must be filmed without interruption; their gaps are raised louder.
    CREATE TABLE activity_tags (
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      kind TEXT NOT NULL,
      tagged_at TEXT NOT NULL,
      tagged_by TEXT NOT NULL,
      PRIMARY KEY (recording_id, kind)
    );

    -- Ops propose, a leader approves, a grace period passes, then the file goes; the row stays.
    CREATE TABLE deletion_proposals (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected', 'cancelled', 'deleted')),
      reason TEXT,
      proposed_by TEXT NOT NULL,
      proposed_at TEXT NOT NULL,
      decided_by TEXT,
      decided_at TEXT,
      grace_until TEXT,
      cancelled_by TEXT,
      cancelled_at TEXT,
      deleted_at TEXT,
      archive_path TEXT,
      file_removed_at TEXT
    );
    CREATE UNIQUE INDEX deletion_proposals_one_open ON deletion_proposals(recording_id)
      WHERE state IN ('proposed', 'approved');
    CREATE INDEX deletion_proposals_by_state ON deletion_proposals(state, grace_until);

    -- One row per scheduled job: the slot it last ran for, its lease and its failure streak.
    CREATE TABLE job_runs (
      job TEXT PRIMARY KEY,
      last_scheduled_for TEXT,
      last_started_at TEXT,
      last_finished_at TEXT,
      last_success_at TEXT,
      last_error TEXT,
      last_result TEXT,
      running_since TEXT,
      -- host:pid of the process holding the lease, so a restart on the same host can tell it died.
      running_owner TEXT,
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      next_retry_at TEXT
    );
  `,
};
