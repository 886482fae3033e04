import type { Migration } from './index.ts';

// Art. 18: a recorder that stopped and started again owes an explanation. The dock daemon finds the
// gaps between consecutive segments of one device; officers explain them and a clerk accepts.
export const interruptions: Migration = {
  version: 6,
  name: 'interruptions between consecutive segments of one recorder',
  sql: `
    CREATE TABLE interruptions (
      id INTEGER PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices(id),
      dock_id INTEGER REFERENCES docks(id),
      before_recording_id INTEGER NOT NULL REFERENCES recordings(id),
      after_recording_id INTEGER NOT NULL REFERENCES recordings(id),
      -- End of the segment before and start of the one after, as ISO instants.
      gap_start TEXT NOT NULL,
      gap_end TEXT NOT NULL,
      gap_seconds REAL NOT NULL,
      badge TEXT,
      detected_at TEXT NOT NULL,
      explanation TEXT,
      explained_by TEXT,
      explained_at TEXT,
      accepted_by TEXT,
      accepted_at TEXT,
      UNIQUE (before_recording_id, after_recording_id)
    );
    CREATE INDEX interruptions_open ON interruptions(accepted_at, badge);
    CREATE INDEX interruptions_by_device ON interruptions(device_id, gap_start);
  `,
};
