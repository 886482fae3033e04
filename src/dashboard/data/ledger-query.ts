import { type Static, Type } from '@sinclair/typebox';
import type { Statement } from 'better-sqlite3';
import type { User } from '../../auth/users.ts';
import type { Db } from '../../ledger/database.ts';
import { type Recording, toRecording } from '../../ledger/recordings.ts';

const optionalDate = Type.Optional(Type.String({ pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' }));
export const sortOrders = ['newest', 'oldest', 'badge', 'ingested'] as const;
export const playbackStates = ['pending', 'ok', 'damaged', 'unplayable', 'not-playing'] as const;

/** The ledger filter, shared by the page, its exports and /api/ledger; blank form fields mean "any". */
export const LedgerQuerySchema = Type.Object({
  officer: Type.Optional(Type.String({ maxLength: 100 })),
  badge: Type.Optional(Type.String({ maxLength: 50 })),
  device: Type.Optional(Type.String({ maxLength: 50 })),
  from: optionalDate,
  to: optionalDate,
  playback: Type.Optional(
    Type.Union([Type.Literal(''), ...playbackStates.map((state) => Type.Literal(state))]),
  ),
  late: Type.Optional(Type.Boolean()),
  unconfirmed: Type.Optional(Type.Boolean()),
  unassigned: Type.Optional(Type.Boolean()),
  dock: Type.Optional(Type.Integer({ minimum: 1 })),
  sort: Type.Optional(Type.Union(sortOrders.map((order) => Type.Literal(order)))),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  lang: Type.Optional(Type.String()),
});
export type LedgerQuery = Static<typeof LedgerQuerySchema>;

export interface LedgerRow extends Recording {
  notPlayingAt: string | null;
  notPlayingBy: string | null;
  notPlayingNote: string | null;
}

export const defaultPageSize = 50;

// Each order ends on the id so pages never overlap; the first two walk the date indexes backwards.
const orderBy: Record<(typeof sortOrders)[number], string> = {
  newest: 'r.local_date DESC, r.start_ms DESC, r.id DESC',
  oldest: 'r.local_date ASC, r.start_ms ASC, r.id ASC',
  badge: 'r.badge ASC, r.local_date DESC, r.start_ms DESC, r.id DESC',
  ingested: 'r.id DESC',
};

export function toLedgerRow(row: Record<string, unknown>): LedgerRow {
  // Extends the fresh object rather than copying it: a page maps fifty of these per request.
  return Object.assign(toRecording(row), {
    notPlayingAt: (row.not_playing_at as string | null) ?? null,
    notPlayingBy: (row.not_playing_by as string | null) ?? null,
    notPlayingNote: (row.not_playing_note as string | null) ?? null,
  });
}

/** WHERE clauses for a filter. An officer user is always held to their own badge (art. 27). */
function conditions(query: LedgerQuery, viewer: User): { where: string; params: unknown[] } {
  const clauses = ['r.duplicate_of IS NULL'];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (viewer.role === 'officer') add('r.badge = ?', viewer.badge ?? '');
  if (query.badge?.trim()) add('r.badge = ?', query.badge.trim());
  if (query.officer?.trim()) add('instr(r.officer_name, ?) > 0', query.officer.trim());
  if (query.device?.trim())
    add('r.device_id = (SELECT id FROM devices WHERE serial = ?)', query.device.trim());
  if (query.from) add('r.local_date >= ?', query.from);
  if (query.to) add('r.local_date <= ?', query.to);
  if (query.playback === 'not-playing') add('r.not_playing_at IS NOT NULL');
  else if (query.playback) add('r.playback = ?', query.playback);
  if (query.late) add('r.late = 1');
  if (query.unconfirmed) add('r.confirmed_at IS NULL');
  if (query.unassigned) add('r.officer_id IS NULL');
  if (query.dock) add('r.dock_id = ?', query.dock);
  return { where: `WHERE ${clauses.join(' AND ')}`, params };
}

const fromRecordings = 'FROM recordings r LEFT JOIN devices d ON d.id = r.device_id';
const selectRows = `SELECT r.*, d.serial AS device_serial ${fromRecordings}`;
// What no list shows (stage times, the playback report, the clerk's note) is read as NULL: turning
// those strings into JavaScript for fifty rows cost more than finding the rows.
const listColumns = `r.id, r.dock_id, r.device_id, r.source_path, r.source_size, NULL AS source_mtime, r.size_bytes,
  r.sha256, r.duplicate_of, r.archive_path, r.kind, r.start_time, r.end_time, r.start_ms, r.end_ms, r.start_source,
  r.clock_offset_seconds, r.time_flags, r.duration_seconds, r.local_date, r.officer_id, r.badge, r.officer_name,
  r.playback, NULL AS playback_detail, r.ingested_at, r.late, NULL AS copied_at, NULL AS verified_at,
  NULL AS probed_at, r.confirmed_at, r.confirmed_by, r.not_playing_at, NULL AS not_playing_by,
  NULL AS not_playing_note, d.serial AS device_serial`;
const selectList = `SELECT ${listColumns} ${fromRecordings}`;

// The same few filters come back on every page view: compile each distinct statement once.
const statements = new WeakMap<Db, Map<string, Statement>>();
function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * One page of the ledger. Counting a million matching rows would cost more than the page, so the
 * page asks for one row more than it shows to know whether a next page exists.
 */
export function queryLedger(
  db: Db,
  query: LedgerQuery,
  viewer: User,
): { rows: LedgerRow[]; page: number; pageSize: number; hasMore: boolean } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? defaultPageSize;
  const { where, params } = conditions(query, viewer);
  const rows = prepared(
    db,
    `${selectList} ${where} ORDER BY ${orderBy[query.sort ?? 'newest']} LIMIT ? OFFSET ?`,
  ).all(...params, pageSize + 1, (page - 1) * pageSize) as Record<string, unknown>[];
  return {
    rows: rows.slice(0, pageSize).map(toLedgerRow),
    page,
    pageSize,
    hasMore: rows.length > pageSize,
  };
}

/** Every row of a filter, for CSV and XLSX export; capped so one click cannot exhaust the station. */
export const exportLimit = 100_000;

export function exportLedger(db: Db, query: LedgerQuery, viewer: User): LedgerRow[] {
  const { where, params } = conditions(query, viewer);
  return (
    prepared(db, `${selectList} ${where} ORDER BY ${orderBy[query.sort ?? 'newest']} LIMIT ?`).all(
      ...params,
      exportLimit,
    ) as Record<string, unknown>[]
  ).map(toLedgerRow);
}

export function findLedgerRow(db: Db, id: number): LedgerRow | null {
  const row = db.prepare(`${selectRows} WHERE r.id = ?`).get(id) as Record<string, unknown> | undefined;
  return row ? toLedgerRow(row) : null;
}

/** Whether this user may see this recording at all: officers only their own. */
export function canSee(viewer: User, recording: Recording): boolean {
  return viewer.role !== 'officer' || (viewer.badge !== null && recording.badge === viewer.badge);
}
