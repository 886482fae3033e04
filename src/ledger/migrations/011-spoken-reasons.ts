import type { Migration } from './index.ts';

// Art. 18: the officer resuming a recording must say why it stopped. One row per interruption once
// the first seconds of its resumed segment were listened to; no row means not yet (pending).
export const spokenReasons: Migration = {
  version: 11,
  name: 'spoken reason heard at the start of a resumed segment',
  sql: `
    CREATE TABLE spoken_reasons (
      interruption_id INTEGER PRIMARY KEY REFERENCES interruptions(id),
      recording_id INTEGER NOT NULL REFERENCES recordings(id),
      state TEXT NOT NULL CHECK (state IN ('detected', 'absent', 'no-audio', 'failed')),
      window_seconds REAL NOT NULL,
      analysed_seconds REAL,
      -- From the start of the resumed segment.
      speech_start_seconds REAL,
      speech_seconds REAL,
      -- The derived audio clip of the speech, relative to the archive root; the original is untouched.
      clip_path TEXT,
      clip_start_seconds REAL,
      clip_seconds REAL,
      clip_sha256 TEXT,
      clip_bytes INTEGER,
      error TEXT,
      attempts INTEGER NOT NULL DEFAULT 1,
      analysed_at TEXT NOT NULL
    );
    CREATE INDEX spoken_reasons_by_state ON spoken_reasons(state);
  `,
};
