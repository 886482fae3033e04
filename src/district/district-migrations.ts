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
  {
    version: 2,
    name: 'each station writes only its own rows; deleted district copies',
    sql: `
      -- Stations log in as their own role, named after station.id, and members of bwc_station
      -- (station district add-station creates it). Row-level security keyed on that role name lets
      -- a station read the district but insert and change only rows under its own id; nobody but the
      -- owner deletes. Roles are cluster-wide, so the group may already exist from another district.
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bwc_station') THEN
          CREATE ROLE bwc_station NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- another district's migration won
      END $$;

      -- Set when the station's deletion review removed the object version from the bucket.
      ALTER TABLE recordings ADD COLUMN deleted_at TIMESTAMPTZ;

      GRANT SELECT ON district_schema_migrations, stations, recordings, audit_anchors TO bwc_station;
      GRANT INSERT, UPDATE ON stations, recordings TO bwc_station;
      GRANT INSERT ON audit_anchors TO bwc_station;
      GRANT USAGE ON SEQUENCE audit_anchors_id_seq TO bwc_station;

      ALTER TABLE stations ENABLE ROW LEVEL SECURITY;
      CREATE POLICY stations_read ON stations FOR SELECT USING (true);
      CREATE POLICY stations_own_insert ON stations FOR INSERT TO bwc_station WITH CHECK (id = current_user);
      CREATE POLICY stations_own_update ON stations FOR UPDATE TO bwc_station
        USING (id = current_user) WITH CHECK (id = current_user);

      ALTER TABLE recordings ENABLE ROW LEVEL SECURITY;
      CREATE POLICY recordings_read ON recordings FOR SELECT USING (true);
      CREATE POLICY recordings_own_insert ON recordings FOR INSERT TO bwc_station
        WITH CHECK (station_id = current_user);
      CREATE POLICY recordings_own_update ON recordings FOR UPDATE TO bwc_station
        USING (station_id = current_user) WITH CHECK (station_id = current_user);

      ALTER TABLE audit_anchors ENABLE ROW LEVEL SECURITY;
      CREATE POLICY audit_anchors_read ON audit_anchors FOR SELECT USING (true);
      CREATE POLICY audit_anchors_own_insert ON audit_anchors FOR INSERT TO bwc_station
        WITH CHECK (station_id = current_user);

      -- A verified copy's identity and its lock are facts of the bucket: even its own station cannot
      -- rewrite which bytes it vouches for, or shorten the retention the store holds.
      CREATE FUNCTION recordings_keep_copy_facts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sha256 <> OLD.sha256 OR NEW.size_bytes <> OLD.size_bytes OR NEW.object_key <> OLD.object_key
           OR NEW.version_id IS DISTINCT FROM OLD.version_id THEN
          RAISE EXCEPTION 'district copy of %#% cannot change its sha256, size, object key or version',
            OLD.station_id, OLD.recording_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.retain_until < OLD.retain_until THEN
          RAISE EXCEPTION 'district copy of %#%: retention is never shortened', OLD.station_id, OLD.recording_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
          RAISE EXCEPTION 'district copy of %#% was deleted', OLD.station_id, OLD.recording_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER recordings_keep_copy_facts BEFORE UPDATE ON recordings
        FOR EACH ROW EXECUTE FUNCTION recordings_keep_copy_facts();
    `,
  },
  {
    version: 3,
    name: 'search indexes in the ledger order for tens of millions of rows',
    sql: `
      -- Every search returns rows in (local_date, station_id, recording_id) order, 200 at a time: each
      -- filter gets an index whose order, once its equality columns are fixed, is that order, so the
      -- first 200 index entries are the answer and nothing is sorted.
      DROP INDEX recordings_by_badge_date;
      CREATE INDEX recordings_by_badge ON recordings (badge, local_date, station_id, recording_id);
      CREATE INDEX recordings_by_station_badge ON recordings (station_id, badge, local_date, recording_id);
      -- A badge belongs to one station: without this the planner multiplies the two selectivities,
      -- expects a handful of rows and sorts them all instead of reading the first 200 in order.
      CREATE STATISTICS recordings_station_badge (dependencies, ndistinct) ON station_id, badge FROM recordings;
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
