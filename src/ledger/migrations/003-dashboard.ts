import type { Migration } from './index.ts';

// What the dashboard keeps: sessions and API tokens of its users, device fault reports (art. 17)
// and the clerk's "does not play back" verdict (art. 23) beside the existing confirmation columns.
export const dashboard: Migration = {
  version: 3,
  name: 'dashboard sessions, API tokens, device faults, playback verdicts',
  sql: `
    -- Only a hash of the cookie value is stored, so a copied database opens no session.
    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id),
      csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions(user_id);

    CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_at TEXT
    );

    CREATE TABLE device_faults (
      id INTEGER PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices(id),
      description TEXT NOT NULL,
      reported_by TEXT NOT NULL,
      reported_at TEXT NOT NULL,
      resolved_at TEXT,
      resolved_by TEXT
    );
    CREATE INDEX device_faults_by_device ON device_faults(device_id, reported_at);

    ALTER TABLE recordings ADD COLUMN not_playing_at TEXT;
    ALTER TABLE recordings ADD COLUMN not_playing_by TEXT;
    ALTER TABLE recordings ADD COLUMN not_playing_note TEXT;

    -- The ledger's default order (newest first), whole and per badge, read straight off an index:
    -- with a million rows a sort step would cost more than the page.
    CREATE INDEX recordings_by_date_start ON recordings(local_date, start_ms);
    CREATE INDEX recordings_by_badge_date_start ON recordings(badge, local_date, start_ms);
    CREATE INDEX recordings_unassigned ON recordings(local_date, start_ms) WHERE officer_id IS NULL;
  `,
};
