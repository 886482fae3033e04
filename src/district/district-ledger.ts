import pg from 'pg';
import type { Recording } from '../ledger/recordings.ts';
import { isoInZone } from '../time/zone.ts';
import { latestDistrictVersion } from './district-migrations.ts';
import type { OutboxCounts } from './outbox.ts';

/** A district ledger row as `station district ledger --json` prints it. */
export interface DistrictRecording {
  stationId: string;
  recordingId: number;
  sha256: string;
  sizeBytes: number;
  kind: string;
  start: string | null;
  end: string | null;
  durationSeconds: number | null;
  date: string | null;
  badge: string | null;
  officerName: string | null;
  deviceSerial: string | null;
  sourcePath: string;
  playback: string;
  late: boolean;
  ingestedAt: string;
  objectKey: string;
  versionId: string | null;
  retainUntil: string;
  legalHold: boolean;
  uploadedAt: string;
  verifiedAt: string;
  /** When the station's deletion review removed the district copy; null while it is kept. */
  deletedAt: string | null;
}

export interface DistrictLedgerFilter {
  stationId?: string;
  badge?: string;
  fromDate?: string;
  toDate?: string;
  limit?: number;
  /** Keyset pagination: the rows after this one in ledger order (the last row of the page before). */
  after?: LedgerCursor;
}

/** A row's place in ledger order (local date, station, recording id). */
export type LedgerCursor = Pick<DistrictRecording, 'date' | 'stationId' | 'recordingId'>;

export interface DistrictAnchor {
  stationId: string;
  headId: number;
  headHash: string;
  entryCount: number;
  anchoredAt: string;
  objectKey: string;
  versionId: string | null;
}

export interface DistrictStation {
  id: string;
  name: string;
  zone: string;
  lastContactAt: string | null;
  pending: number;
  uploading: number;
  failed: number;
  oldestPendingAt: string | null;
  recordings: number;
}

export class DistrictSchemaMissing extends Error {
  constructor(
    readonly version: number | null,
    readonly needed: number,
  ) {
    super(
      `the district ledger is at schema ${version ?? 'none'}, this station needs ${needed}: run station district migrate`,
    );
  }
}

// bigint columns come back as text; ids here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);

/**
 * The district's PostgreSQL ledger, opened by one station (or the district view). A station writes
 * only rows under its own id: every write here takes the id from the settings, never from a caller.
 */
export class DistrictLedger {
  readonly pool: pg.Pool;

  constructor(
    postgresUrl: string,
    private readonly zone: string,
  ) {
    // The session speaks the district's zone, so PostgreSQL writes each time with its offset (toIso)
    // rather than this process formatting hundreds of Dates per page.
    this.pool = new pg.Pool({
      connectionString: postgresUrl,
      options: `-c TimeZone=${zone}`,
      max: 4,
      connectionTimeoutMillis: 5000,
    });
    // An idle connection the server dropped must not crash the daemon; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async assertSchema(): Promise<void> {
    const exists = await this.pool.query(
      "SELECT to_regclass('district_schema_migrations') IS NOT NULL AS found",
    );
    const { rows } = exists.rows[0].found
      ? await this.pool.query<{ version: number | null }>(
          'SELECT max(version) AS version FROM district_schema_migrations',
        )
      : { rows: [] };
    const version = rows[0]?.version ?? null;
    if (version === null || version < latestDistrictVersion) {
      throw new DistrictSchemaMissing(version, latestDistrictVersion);
    }
  }

  async reportContact(
    station: { id: string; name: string; zone: string },
    counts: OutboxCounts,
    at: Date,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO stations (id, name, zone, last_contact_at, pending, uploading, failed, oldest_pending_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET name = $2, zone = $3, last_contact_at = $4, pending = $5, uploading = $6,
         failed = $7, oldest_pending_at = $8`,
      [
        station.id,
        station.name,
        station.zone,
        at,
        counts.pending,
        counts.uploading,
        counts.failed,
        counts.oldestPendingAt,
      ],
    );
  }

  async writeRecording(
    stationId: string,
    recording: Recording,
    copy: {
      objectKey: string;
      versionId: string | null;
      retainUntil: Date;
      legalHold: boolean;
      uploadedAt: Date;
      verifiedAt: Date;
    },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO recordings (station_id, recording_id, sha256, size_bytes, kind, start_time, end_time,
         duration_seconds, local_date, badge, officer_name, device_serial, source_path, playback, late,
         ingested_at, object_key, version_id, retain_until, legal_hold, uploaded_at, verified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       ON CONFLICT (station_id, recording_id) DO UPDATE SET sha256 = $3, size_bytes = $4, kind = $5,
         start_time = $6, end_time = $7, duration_seconds = $8, local_date = $9, badge = $10, officer_name = $11,
         device_serial = $12, source_path = $13, playback = $14, late = $15, ingested_at = $16, object_key = $17,
         version_id = $18, retain_until = $19, legal_hold = $20, uploaded_at = $21, verified_at = $22`,
      [
        stationId,
        recording.id,
        recording.sha256,
        recording.sizeBytes,
        recording.kind,
        recording.start,
        recording.end,
        recording.durationSeconds,
        recording.date,
        recording.badge,
        recording.officerName,
        recording.deviceSerial,
        recording.sourcePath,
        recording.playback,
        recording.late,
        recording.ingestedAt,
        copy.objectKey,
        copy.versionId,
        copy.retainUntil,
        copy.legalHold,
        copy.uploadedAt,
        copy.verifiedAt,
      ],
    );
  }

  async updateLock(
    stationId: string,
    recordingId: number,
    retainUntil: Date,
    legalHold: boolean,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE recordings SET retain_until = $3, legal_hold = $4 WHERE station_id = $1 AND recording_id = $2',
      [stationId, recordingId, retainUntil, legalHold],
    );
  }

  async markDeleted(stationId: string, recordingId: number, at: Date): Promise<void> {
    await this.pool.query(
      'UPDATE recordings SET deleted_at = $3 WHERE station_id = $1 AND recording_id = $2 AND deleted_at IS NULL',
      [stationId, recordingId, at],
    );
  }

  async writeAnchor(anchor: DistrictAnchor): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_anchors (station_id, head_id, head_hash, entry_count, anchored_at, object_key, version_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        anchor.stationId,
        anchor.headId,
        anchor.headHash,
        anchor.entryCount,
        anchor.anchoredAt,
        anchor.objectKey,
        anchor.versionId,
      ],
    );
  }

  async anchorsOf(stationId: string): Promise<DistrictAnchor[]> {
    const { rows } = await this.pool.query(
      `SELECT station_id, head_id, head_hash, entry_count, anchored_at, object_key, version_id
       FROM audit_anchors WHERE station_id = $1 ORDER BY head_id, id`,
      [stationId],
    );
    return rows.map((row) => ({
      stationId: row.station_id,
      headId: row.head_id,
      headHash: row.head_hash,
      entryCount: row.entry_count,
      anchoredAt: isoInZone(row.anchored_at, this.zone),
      objectKey: row.object_key,
      versionId: row.version_id,
    }));
  }

  /**
   * Rows in ledger order (local date, station, recording id), `limit` at a time (default 10 000), each
   * page after the last row of the one before. Every filter has an index in that order (district
   * migrations 1 and 3), and the cursor is a range on the same columns, so any page reads only its
   * own index entries: no sort, no OFFSET skipping rows, no count.
   */
  async ledger(filter: DistrictLedgerFilter = {}): Promise<DistrictRecording[]> {
    const limit = filter.limit ?? 10_000;
    const { after } = filter;
    const rows = await this.ledgerPage(filter, after ?? null, limit);
    // Rows without a date sort after every dated row: a page after a dated row that ran out of dated
    // rows goes on with them (a range cannot span both and keep to the index).
    if (after?.date && rows.length < limit && !filter.fromDate && !filter.toDate) {
      rows.push(
        ...(await this.ledgerPage(
          filter,
          { date: null, stationId: '', recordingId: 0 },
          limit - rows.length,
        )),
      );
    }
    return rows;
  }

  private async ledgerPage(
    filter: DistrictLedgerFilter,
    after: LedgerCursor | null,
    limit: number,
  ): Promise<DistrictRecording[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const station = filter.stationId;
    if (station) clauses.push(`station_id = ${param(station)}`);
    if (filter.badge) clauses.push(`badge = ${param(filter.badge)}`);
    if (filter.fromDate) clauses.push(`local_date >= ${param(filter.fromDate)}`);
    if (filter.toDate) clauses.push(`local_date <= ${param(filter.toDate)}`);
    if (after) {
      // The cursor is a range on the index's own columns; with the station fixed it drops out, and
      // the comparison matches the station indexes' order.
      const key = [after.date === null ? null : 'local_date', station ? null : 'station_id', 'recording_id'];
      const values = [after.date, after.stationId, after.recordingId];
      const columns = key.filter((column) => column !== null);
      const placeholders = key.flatMap((column, index) => (column === null ? [] : [param(values[index])]));
      if (after.date === null) clauses.push('local_date IS NULL');
      clauses.push(`(${columns.join(', ')}) > (${placeholders.join(', ')})`);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const { rows } = await this.pool.query(
      `SELECT ${recordingColumns} FROM recordings ${where}
       ORDER BY local_date, station_id, recording_id LIMIT ${param(limit)}`,
      params,
    );
    return rows.map(toDistrictRecording);
  }

  async recording(stationId: string, recordingId: number): Promise<DistrictRecording | null> {
    const { rows } = await this.pool.query(
      `SELECT ${recordingColumns} FROM recordings WHERE station_id = $1 AND recording_id = $2`,
      [stationId, recordingId],
    );
    return rows[0] ? toDistrictRecording(rows[0]) : null;
  }

  /** Ids and names only, for a station filter: no counting of their rows. */
  async stationNames(): Promise<{ id: string; name: string }[]> {
    const { rows } = await this.pool.query('SELECT id, name FROM stations ORDER BY id');
    return rows;
  }

  async stations(): Promise<DistrictStation[]> {
    const { rows } = await this.pool.query(
      `SELECT s.*, (SELECT count(*) FROM recordings r WHERE r.station_id = s.id) AS recordings
       FROM stations s ORDER BY s.id`,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      zone: row.zone,
      lastContactAt: row.last_contact_at ? isoInZone(row.last_contact_at, this.zone) : null,
      pending: row.pending,
      uploading: row.uploading,
      failed: row.failed,
      oldestPendingAt: row.oldest_pending_at ? isoInZone(row.oldest_pending_at, this.zone) : null,
      recordings: row.recordings,
    }));
  }
}

// Times the ledger keeps as instants are written by PostgreSQL in the session's zone (ISO with offset).
const toIso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') AS ${column}_iso`;
const recordingColumns = `station_id, recording_id, sha256, size_bytes, kind, start_time, end_time, duration_seconds,
  to_char(local_date, 'YYYY-MM-DD') AS local_date_text, badge, officer_name, device_serial, source_path, playback,
  late, ingested_at, object_key, version_id, ${toIso('retain_until')}, legal_hold, ${toIso('uploaded_at')},
  ${toIso('verified_at')}, ${toIso('deleted_at')}`;

function toDistrictRecording(row: Record<string, unknown>): DistrictRecording {
  return {
    stationId: row.station_id as string,
    recordingId: row.recording_id as number,
    sha256: row.sha256 as string,
    sizeBytes: row.size_bytes as number,
    kind: row.kind as string,
    start: row.start_time as string | null,
    end: row.end_time as string | null,
    durationSeconds: row.duration_seconds as number | null,
    date: row.local_date_text as string | null,
    badge: row.badge as string | null,
    officerName: row.officer_name as string | null,
    deviceSerial: row.device_serial as string | null,
    sourcePath: row.source_path as string,
    playback: row.playback as string,
    late: row.late as boolean,
    ingestedAt: row.ingested_at as string,
    objectKey: row.object_key as string,
    versionId: row.version_id as string | null,
    retainUntil: row.retain_until_iso as string,
    legalHold: row.legal_hold as boolean,
    uploadedAt: row.uploaded_at_iso as string,
    verifiedAt: row.verified_at_iso as string,
    deletedAt: row.deleted_at_iso as string | null,
  };
}
