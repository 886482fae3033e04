import type { Db } from '../ledger/database.ts';

// How many days until the archive disk is full at the recent ingest rate, so ops buy a disk
// before ingest starts refusing copies.

export interface StorageForecast {
  /** Bytes still usable: free space minus the reserve ingest keeps. */
  usableBytes: number;
  /** Average archived bytes per day over the window. */
  bytesPerDay: number;
  rateDays: number;
  /** Null when nothing was ingested in the window (no rate to extrapolate). */
  daysUntilFull: number | null;
}

export function storageForecast(
  db: Db,
  options: { freeBytes: number; reserveBytes: number; rateDays: number; now: Date },
): StorageForecast {
  const since = new Date(options.now.getTime() - options.rateDays * 86_400_000).toISOString();
  const ingested = Number(
    db
      .prepare(
        `SELECT COALESCE(SUM(size_bytes), 0) FROM recordings
         WHERE duplicate_of IS NULL AND archive_path IS NOT NULL AND ingested_at >= ?`,
      )
      .pluck()
      .get(since),
  );
  const usableBytes = Math.max(0, options.freeBytes - options.reserveBytes);
  const bytesPerDay = ingested / options.rateDays;
  return {
    usableBytes,
    bytesPerDay,
    rateDays: options.rateDays,
    daysUntilFull: bytesPerDay > 0 ? Math.round((usableBytes / bytesPerDay) * 10) / 10 : null,
  };
}
