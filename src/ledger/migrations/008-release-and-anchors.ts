import type { Migration } from './index.ts';

// Issue 12, custody you can defend in court: accounts that give footage rights wait for a leader,
// reassignments wait for a leader, and served bytes and refused attempts are coalesced before they
// become audit entries (the pending rows survive a restart and are flushed then).
export const releaseAndAnchors: Migration = {
  version: 8,
  name: 'account confirmation, reassignment requests, coalesced audit of served bytes and refusals',
  sql: `
    -- An account in a footage role made by an admin stays inactive until a leader confirms it.
    ALTER TABLE users ADD COLUMN awaiting_confirmation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN created_by TEXT;
    ALTER TABLE users ADD COLUMN confirmed_by TEXT;
    ALTER TABLE users ADD COLUMN confirmed_at TEXT;

    -- Moving an assigned recording to another officer is a correction a leader approves.
    CREATE TABLE reassignment_requests (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      from_badge TEXT,
      to_badge TEXT NOT NULL,
      reason TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
      decided_by TEXT,
      decided_at TEXT
    );
    CREATE INDEX reassignment_requests_pending ON reassignment_requests(state, recording_id);

    -- One open window per key (session and recording, or refusal source): the first event is an
    -- audit entry at once, later ones are merged here and closed by one entry when the window ends.
    CREATE TABLE audit_windows (
      key TEXT PRIMARY KEY,
      action TEXT NOT NULL,
      actor TEXT NOT NULL,
      subject_type TEXT,
      subject_id TEXT,
      opened_at TEXT NOT NULL,
      last_at TEXT NOT NULL,
      events INTEGER NOT NULL,
      detail TEXT NOT NULL,
      opening_entry INTEGER NOT NULL REFERENCES audit_log(id)
    );
    CREATE INDEX audit_windows_by_opening ON audit_windows(opened_at);
  `,
};
