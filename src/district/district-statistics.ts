import type pg from 'pg';

// Art. 30 for the district: per station and per officer, over the recordings' local dates.

export interface StationFigures {
  stationId: string;
  recordings: number;
  hours: number;
  gigabytes: number;
  late: number;
  legalHolds: number;
}

export interface OfficerFigures {
  stationId: string;
  badge: string | null;
  officerName: string | null;
  recordings: number;
  hours: number;
  late: number;
}

export interface DistrictStatistics {
  from: string;
  to: string;
  stations: StationFigures[];
  officers: OfficerFigures[];
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Figures for local dates `from`..`to` (inclusive, YYYY-MM-DD), optionally one station only. */
export async function districtStatistics(
  pool: pg.Pool,
  range: { from: string; to: string; stationId?: string },
): Promise<DistrictStatistics> {
  const params = [range.from, range.to, range.stationId ?? null];
  const where =
    'deleted_at IS NULL AND local_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR station_id = $3)';
  const stations = await pool.query(
    `SELECT station_id, count(*) AS recordings, coalesce(sum(duration_seconds), 0) AS seconds,
       sum(size_bytes) AS bytes, count(*) FILTER (WHERE late) AS late, count(*) FILTER (WHERE legal_hold) AS holds
     FROM recordings WHERE ${where} GROUP BY station_id ORDER BY station_id`,
    params,
  );
  const officers = await pool.query(
    `SELECT station_id, badge, max(officer_name) AS officer_name, count(*) AS recordings,
       coalesce(sum(duration_seconds), 0) AS seconds, count(*) FILTER (WHERE late) AS late
     FROM recordings WHERE ${where} GROUP BY station_id, badge ORDER BY station_id, badge NULLS LAST`,
    params,
  );
  return {
    from: range.from,
    to: range.to,
    stations: stations.rows.map((row) => ({
      stationId: row.station_id,
      recordings: Number(row.recordings),
      hours: round(Number(row.seconds) / 3600),
      gigabytes: round(Number(row.bytes) / 1e9, 2),
      late: Number(row.late),
      legalHolds: Number(row.holds),
    })),
    officers: officers.rows.map((row) => ({
      stationId: row.station_id,
      badge: row.badge,
      officerName: row.officer_name,
      recordings: Number(row.recordings),
      hours: round(Number(row.seconds) / 3600),
      late: Number(row.late),
    })),
  };
}
