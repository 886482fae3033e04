import type pg from 'pg';

// The district ledger's schema belongs to the station code: `station district migrate` applies what is
// missing, under an advisory lock so two stations migrating at once do not collide. Append only.
interface DistrictMigration {
  version: number;
  name: string;
  sql: string;
}

const districtMigrations: DistrictMigration[] = [
  {
    version: 1,
    name: 'stations, recordings, audit anchors',
    sql: `
      CREATE TABLE stations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        zone TEXT NOT NULL,
        last_contact_at TIMESTAMPTZ,
        pending INTEGER NOT NULL DEFAULT 0,
        uploading INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        oldest_pending_at TIMESTAMPTZ
      );

      -- One row per original recording of a station: the station's ledger fields plus where the
      -- district copy is and how it is locked. Times as the station wrote them (ISO with offset).
      CREATE TABLE recordings (
        station_id TEXT NOT NULL REFERENCES stations(id),
        recording_id BIGINT NOT NULL,
        sha256 TEXT NOT NULL,
        size_bytes BIGINT NOT NULL,
        kind TEXT NOT NULL,
        start_time TEXT,
        end_time TEXT,
        duration_seconds DOUBLE PRECISION,
        local_date DATE,
        badge TEXT,
        officer_name TEXT,
        device_serial TEXT,
        source_path TEXT NOT NULL,
        playback TEXT NOT NULL,
        late BOOLEAN NOT NULL,
        ingested_at TEXT NOT NULL,
        object_key TEXT NOT NULL,
        version_id TEXT,
        retain_until TIMESTAMPTZ NOT NULL,
        legal_hold BOOLEAN NOT NULL,
        uploaded_at TIMESTAMPTZ NOT NULL,
        verified_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (station_id, recording_id)
      );
      CREATE INDEX recordings_by_date ON recordings (local_date, station_id, recording_id);
      CREATE INDEX recordings_by_station_date ON recordings (station_id, local_date, recording_id);
      CREATE INDEX recordings_by_badge_date ON recordings (badge, local_date);

      CREATE TABLE audit_anchors (
        id BIGSERIAL PRIMARY KEY,
        station_id TEXT NOT NULL REFERENCES stations(id),
        head_id BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        entry_count BIGINT NOT NULL,
        anchored_at TIMESTAMPTZ NOT NULL,
        object_key TEXT NOT NULL,
        version_id TEXT
      );
      CREATE INDEX audit_anchors_by_station ON audit_anchors (station_id, head_id);
    `,
  },
];

export async function migrateDistrict(client: pg.PoolClient | pg.Client): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('bwc-station district migrations'))");
    await client.query(`CREATE TABLE IF NOT EXISTS district_schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM district_schema_migrations',
    );
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of districtMigrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO district_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export const latestDistrictVersion = districtMigrations.at(-1)!.version;
