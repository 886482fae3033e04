import type { Migration } from './index.ts';

// District archive: each original recording goes to the district bucket and ledger through this
// outbox. The trigger fills it in the same transaction as the recording's row, so no recording can
// be archived without its upload owed; it fires only once the station has joined a district
// (district_membership has its row), so a station without a district behaves exactly as before.
export const districtOutbox: Migration = {
  version: 10,
  name: 'district outbox: uploads owed to the district bucket and ledger, and audit anchors',
  sql: `
    CREATE TABLE district_membership (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      station_id TEXT NOT NULL,
      joined_at TEXT NOT NULL
    );

    -- state: pending (not started or retrying) -> uploading (multipart open, upload_id kept) ->
    -- verified (object locked, read back, district row written); failed after too many attempts
    -- still retries, with the longest back-off.
    CREATE TABLE district_outbox (
      recording_id INTEGER PRIMARY KEY REFERENCES recordings(id),
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'uploading', 'verified', 'failed')),
      object_key TEXT,
      upload_id TEXT,
      version_id TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT,
      retain_until TEXT,
      legal_hold INTEGER NOT NULL DEFAULT 0,
      uploaded_at TEXT,
      verified_at TEXT,
      -- Set when the local copy was removed: the district copy is then the one the station reads.
      local_evicted_at TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX district_outbox_due ON district_outbox(state, next_attempt_at);

    CREATE TRIGGER district_outbox_on_recording AFTER INSERT ON recordings
      WHEN NEW.duplicate_of IS NULL AND NEW.archive_path IS NOT NULL
        AND EXISTS (SELECT 1 FROM district_membership)
    BEGIN
      INSERT INTO district_outbox (recording_id, next_attempt_at, created_at)
        VALUES (NEW.id, NEW.ingested_at, NEW.ingested_at);
    END;

    -- Audit chain heads sent out of the PC, so a rewritten or shortened chain shows.
    CREATE TABLE district_anchors (
      id INTEGER PRIMARY KEY,
      head_id INTEGER NOT NULL,
      head_hash TEXT NOT NULL,
      entry_count INTEGER NOT NULL,
      anchored_at TEXT NOT NULL,
      object_key TEXT NOT NULL,
      version_id TEXT
    );
  `,
};
