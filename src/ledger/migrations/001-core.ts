import type { Migration } from './index.ts';

// Every stage of a recording's life is a column on its row, so a restart resumes from here.
export const core: Migration = {
  version: 1,
  name: 'core ledger: officers, devices, assignments, docks, recordings',
  sql: `
    CREATE TABLE officers (
      id INTEGER PRIMARY KEY,
      badge TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      unit TEXT,
      created_at TEXT NOT NULL
    );

    CREATE TABLE devices (
      id INTEGER PRIMARY KEY,
      serial TEXT NOT NULL UNIQUE,
      driver TEXT,
      model TEXT,
      first_seen_at TEXT NOT NULL,
      last_seen_at TEXT,
      clock_offset_seconds REAL,
      free_bytes INTEGER,
      total_bytes INTEGER,
      battery_percent REAL
    );

    -- A pooled recorder changes hands: who held it is a period, valid_to exclusive, NULL while open.
    CREATE TABLE device_assignments (
      id INTEGER PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices(id),
      officer_id INTEGER NOT NULL REFERENCES officers(id),
      valid_from TEXT NOT NULL,
      valid_to TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX device_assignments_by_device ON device_assignments(device_id, valid_from);

    -- One row per docking (or manual ingest) of a source; state is its per-dock state machine.
    CREATE TABLE docks (
      id INTEGER PRIMARY KEY,
      origin TEXT NOT NULL,
      source_path TEXT NOT NULL,
      volume_label TEXT,
      device_id INTEGER REFERENCES devices(id),
      driver TEXT,
      state TEXT NOT NULL,
      detail TEXT,
      files_total INTEGER NOT NULL DEFAULT 0,
      files_done INTEGER NOT NULL DEFAULT 0,
      bytes_total INTEGER NOT NULL DEFAULT 0,
      bytes_done INTEGER NOT NULL DEFAULT 0,
      clock_offset_seconds REAL,
      free_bytes INTEGER,
      total_bytes INTEGER,
      started_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      ended_at TEXT
    );

    -- Per-file progress of a dock, including files reported but not archived.
    CREATE TABLE dock_files (
      id INTEGER PRIMARY KEY,
      dock_id INTEGER NOT NULL REFERENCES docks(id),
      source_path TEXT NOT NULL,
      size_bytes INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL,
      bytes_done INTEGER NOT NULL DEFAULT 0,
      recording_id INTEGER REFERENCES recordings(id),
      reason TEXT,
      UNIQUE (dock_id, source_path)
    );

    CREATE TABLE recordings (
      id INTEGER PRIMARY KEY,
      dock_id INTEGER REFERENCES docks(id),
      device_id INTEGER REFERENCES devices(id),
      source_path TEXT NOT NULL,
      source_size INTEGER NOT NULL,
      source_mtime TEXT,
      size_bytes INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      duplicate_of INTEGER REFERENCES recordings(id),
      archive_path TEXT UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('video', 'audio', 'photo')),
      start_time TEXT,
      end_time TEXT,
      start_ms INTEGER,
      end_ms INTEGER,
      start_source TEXT CHECK (start_source IN ('file-name', 'container', 'file-system')),
      clock_offset_seconds REAL,
      time_flags TEXT NOT NULL DEFAULT '[]',
      duration_seconds REAL,
      local_date TEXT,
      officer_id INTEGER REFERENCES officers(id),
      badge TEXT,
      officer_name TEXT,
      playback TEXT NOT NULL DEFAULT 'pending' CHECK (playback IN ('pending', 'ok', 'damaged', 'unplayable')),
      playback_detail TEXT,
      ingested_at TEXT NOT NULL,
      late INTEGER NOT NULL DEFAULT 0,
      copied_at TEXT,
      verified_at TEXT,
      probed_at TEXT,
      confirmed_at TEXT,
      confirmed_by TEXT
    );
    -- The database decides duplicates: one archived original per content hash.
    CREATE UNIQUE INDEX recordings_unique_content ON recordings(sha256) WHERE duplicate_of IS NULL;
    CREATE INDEX recordings_by_badge_date ON recordings(badge, local_date);
    CREATE INDEX recordings_by_date ON recordings(local_date);
    CREATE INDEX recordings_by_device_start ON recordings(device_id, start_ms);
    CREATE INDEX recordings_by_source ON recordings(device_id, source_path);
    CREATE INDEX recordings_pending_probe ON recordings(probed_at) WHERE probed_at IS NULL;

    -- A copy being written: swept at start-up if the process died before its ledger row.
    CREATE TABLE copies_in_flight (
      partial_path TEXT PRIMARY KEY,
      final_path TEXT,
      source_path TEXT NOT NULL,
      started_at TEXT NOT NULL
    );
  `,
};
