import type { DockReason, DockState } from '../dock/dock-session.ts';
import { type FileNote, parseFileNote } from '../ingest/file-notes.ts';
import type { Db } from './database.ts';

export type { DockState } from '../dock/dock-session.ts';

// The dock's states and their rules live with the session that owns them (src/dock/dock-session.ts).

export type DockFileState = 'pending' | 'copying' | 'done' | 'duplicate' | 'known' | 'skipped' | 'failed';

export interface Dock {
  id: number;
  origin: string;
  sourcePath: string;
  volumeLabel: string | null;
  deviceId: number | null;
  deviceSerial: string | null;
  driver: string | null;
  state: DockState;
  /** Why the dock ended without archiving everything; a code the catalogues translate. */
  reason: DockReason | null;
  /** The technical message behind the reason, for the log reader. */
  detail: string | null;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  clockOffsetSeconds: number | null;
  freeBytes: number | null;
  totalBytes: number | null;
  /** The recorder's battery at the dock, where its driver can read it. */
  batteryPercent: number | null;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
}

export interface DockFile {
  id: number;
  dockId: number;
  sourcePath: string;
  sizeBytes: number;
  state: DockFileState;
  bytesDone: number;
  recordingId: number | null;
  /** The technical message, in English. */
  reason: string | null;
  /** The same for people, worded by the catalogues (ingest/file-notes.ts). */
  note: FileNote | null;
}

const selectDock = `SELECT k.id, k.origin, k.source_path AS sourcePath, k.volume_label AS volumeLabel,
  k.device_id AS deviceId, d.serial AS deviceSerial, k.driver, k.state, k.reason, k.detail, k.files_total AS filesTotal,
  k.files_done AS filesDone, k.bytes_total AS bytesTotal, k.bytes_done AS bytesDone,
  k.clock_offset_seconds AS clockOffsetSeconds, k.free_bytes AS freeBytes, k.total_bytes AS totalBytes,
  k.battery_percent AS batteryPercent,
  k.started_at AS startedAt, k.updated_at AS updatedAt, k.ended_at AS endedAt
  FROM docks k LEFT JOIN devices d ON d.id = k.device_id`;

export function createDock(
  db: Db,
  dock: { origin: string; sourcePath: string; volumeLabel?: string | null },
  now: Date,
): Dock {
  const at = now.toISOString();
  const result = db
    .prepare(
      `INSERT INTO docks (origin, source_path, volume_label, state, started_at, updated_at)
       VALUES (?, ?, ?, 'detected', ?, ?)`,
    )
    .run(dock.origin, dock.sourcePath, dock.volumeLabel ?? null, at, at);
  return findDock(db, Number(result.lastInsertRowid))!;
}

export function findDock(db: Db, id: number): Dock | null {
  return (db.prepare(`${selectDock} WHERE k.id = ?`).get(id) as Dock | undefined) ?? null;
}

export function listDocks(db: Db, options: { limit?: number; activeOnly?: boolean } = {}): Dock[] {
  // A dock ends when its session writes a final state, and only then gets its ended_at.
  const where = options.activeOnly ? 'WHERE k.ended_at IS NULL' : '';
  return db.prepare(`${selectDock} ${where} ORDER BY k.id DESC LIMIT ?`).all(options.limit ?? 50) as Dock[];
}

export type DockUpdate = Partial<
  Pick<
    Dock,
    | 'state'
    | 'reason'
    | 'detail'
    | 'deviceId'
    | 'driver'
    | 'filesTotal'
    | 'filesDone'
    | 'bytesTotal'
    | 'bytesDone'
    | 'clockOffsetSeconds'
    | 'freeBytes'
    | 'totalBytes'
    | 'batteryPercent'
  >
> & {
  /** The state written is a final one: the dock's ended_at is set. */
  ended?: boolean;
};

const dockColumns: Record<Exclude<keyof DockUpdate, 'ended'>, string> = {
  state: 'state',
  reason: 'reason',
  detail: 'detail',
  deviceId: 'device_id',
  driver: 'driver',
  filesTotal: 'files_total',
  filesDone: 'files_done',
  bytesTotal: 'bytes_total',
  bytesDone: 'bytes_done',
  clockOffsetSeconds: 'clock_offset_seconds',
  freeBytes: 'free_bytes',
  totalBytes: 'total_bytes',
  batteryPercent: 'battery_percent',
};

export function updateDock(db: Db, id: number, update: DockUpdate, now: Date): void {
  const { ended, ...columns } = update;
  const entries = Object.entries(columns).filter(([, value]) => value !== undefined) as [
    Exclude<keyof DockUpdate, 'ended'>,
    unknown,
  ][];
  const sets = entries.map(([key]) => `${dockColumns[key]} = ?`);
  const values = entries.map(([, value]) => value);
  sets.push('updated_at = ?');
  values.push(now.toISOString());
  if (ended) {
    sets.push('ended_at = ?');
    values.push(now.toISOString());
  }
  db.prepare(`UPDATE docks SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
}

export function saveDockFile(
  db: Db,
  file: Omit<DockFile, 'id' | 'bytesDone' | 'recordingId' | 'reason' | 'note'> &
    Partial<Pick<DockFile, 'bytesDone' | 'recordingId' | 'reason' | 'note'>>,
): void {
  db.prepare(
    `INSERT INTO dock_files (dock_id, source_path, size_bytes, state, bytes_done, recording_id, reason, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dock_id, source_path) DO UPDATE SET size_bytes = excluded.size_bytes, state = excluded.state,
       bytes_done = excluded.bytes_done, recording_id = excluded.recording_id, reason = excluded.reason,
       note = excluded.note`,
  ).run(
    file.dockId,
    file.sourcePath,
    file.sizeBytes,
    file.state,
    file.bytesDone ?? 0,
    file.recordingId ?? null,
    file.reason ?? null,
    file.note ? JSON.stringify(file.note) : null,
  );
}

export function listDockFiles(db: Db, dockId: number): DockFile[] {
  const rows = db
    .prepare(
      `SELECT id, dock_id AS dockId, source_path AS sourcePath, size_bytes AS sizeBytes, state,
         bytes_done AS bytesDone, recording_id AS recordingId, reason, note FROM dock_files WHERE dock_id = ? ORDER BY id`,
    )
    .all(dockId) as (Omit<DockFile, 'note'> & { note: string | null })[];
  return rows.map((row) => ({ ...row, note: parseFileNote(row.note) }));
}
