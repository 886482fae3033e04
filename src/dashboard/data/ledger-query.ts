import { type Static, Type } from '@sinclair/typebox';
import type { User } from '../../auth/users.ts';
import { type Db, statement } from '../../ledger/database.ts';
import { playbackStatuses } from '../../ledger/playback-status.ts';
import { publicRecording, publicRecordingJson } from '../../ledger/public-recording.ts';
import { type Recording, toRecording } from '../../ledger/recordings.ts';
import { LanguageQuery } from '../routes/schemas.ts';

// A month past 12 or a day past 31 is refused (400) rather than matching nothing.
const optionalDate = Type.Optional(
  Type.String({ pattern: '^(\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01]))?$' }),
);
export const sortOrders = ['newest', 'oldest', 'badge', 'ingested'] as const;

/** The ledger filter, shared by the page, its exports and /api/ledger; blank form fields mean "any". */
export const LedgerQuerySchema = Type.Composite([
  LanguageQuery,
  Type.Object({
    officer: Type.Optional(Type.String({ maxLength: 100 })),
    badge: Type.Optional(Type.String({ maxLength: 50 })),
    device: Type.Optional(Type.String({ maxLength: 50 })),
    from: optionalDate,
    to: optionalDate,
    playback: Type.Optional(
      Type.Union([Type.Literal(''), ...playbackStatuses.map((state) => Type.Literal(state))]),
    ),
    late: Type.Optional(Type.Boolean()),
    unconfirmed: Type.Optional(Type.Boolean()),
    unassigned: Type.Optional(Type.Boolean()),
    dock: Type.Optional(Type.Integer({ minimum: 1 })),
    sort: Type.Optional(Type.Union(sortOrders.map((order) => Type.Literal(order)))),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  }),
]);
export type LedgerQuery = Static<typeof LedgerQuerySchema>;

/** A ledger row is a recording with the clerk's decision on it (see src/ledger/recordings.ts). */
export type LedgerRow = Recording;

export const defaultPageSize = 50;

// Each order ends on the id so pages never overlap; the first two walk the date indexes backwards.
const orderBy: Record<(typeof sortOrders)[number], string> = {
  newest: 'r.local_date DESC, r.start_ms DESC, r.id DESC',
  oldest: 'r.local_date ASC, r.start_ms ASC, r.id ASC',
  badge: 'r.badge ASC, r.local_date DESC, r.start_ms DESC, r.id DESC',
  ingested: 'r.id DESC',
};

const toLedgerRow = toRecording;

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
  // The status shown, so a filter for 正常 never lists what the clerk found not to play.
  if (query.playback === 'not-playing') add('r.not_playing_at IS NOT NULL');
  else if (query.playback) add('r.playback = ? AND r.not_playing_at IS NULL', query.playback);
  if (query.late) add('r.late = 1');
  if (query.unconfirmed) add('r.confirmed_at IS NULL');
  if (query.unassigned) add('r.officer_id IS NULL');
  if (query.dock) add('r.dock_id = ?', query.dock);
  return { where: `WHERE ${clauses.join(' AND ')}`, params };
}

const fromRecordings = 'FROM recordings r LEFT JOIN devices d ON d.id = r.device_id';
const selectRows = `SELECT r.*, d.serial AS device_serial ${fromRecordings}`;

/** What a ledger list shows of a recording; hashes, paths, stage times and reports are on its own page. */
export type LedgerListRow = Pick<
  LedgerRow,
  | 'id'
  | 'officerName'
  | 'badge'
  | 'date'
  | 'start'
  | 'end'
  | 'durationSeconds'
  | 'deviceSerial'
  | 'kind'
  | 'playback'
  | 'notPlayingAt'
  | 'late'
  | 'confirmedAt'
  | 'confirmedBy'
>;

// Only the shown columns: building an object of every column in the native driver cost more than
// finding the rows (measured on a million rows: 0.9 ms against 0.25 ms a page). See queryLedger.
const listColumns = `r.id, r.officer_name, r.badge, r.local_date, r.start_time, r.duration_seconds, d.serial,
  r.kind, r.playback, r.not_playing_at, r.late, r.confirmed_at, r.confirmed_by, r.end_time`;

function toListRow(values: unknown[]): LedgerListRow {
  return {
    id: values[0] as number,
    officerName: values[1] as string | null,
    badge: values[2] as string | null,
    date: values[3] as string | null,
    start: values[4] as string | null,
    durationSeconds: values[5] as number | null,
    deviceSerial: values[6] as string | null,
    kind: values[7] as LedgerRow['kind'],
    playback: values[8] as LedgerRow['playback'],
    notPlayingAt: values[9] as string | null,
    late: values[10] === 1,
    confirmedAt: values[11] as string | null,
    confirmedBy: values[12] as string | null,
    end: values[13] as string | null,
  };
}

interface LedgerPage<Row> {
  rows: Row[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

/**
 * The query for one page of a filter, as `columns` give it. Counting a million matching rows would
 * cost more than the page, so it asks for one row more than the page shows, to know whether a next
 * page exists. The limit is written into the SQL: SQLite plans anew each time a LIMIT parameter is
 * bound (it sizes the plan by it), which cost more than running the query; the offset is bound.
 * The lists below join its rows in SQLite, in its order: SQLite never merges a subquery that has a
 * LIMIT into an aggregate (rule 9 of its query flattener), so group_concat reads them as sorted.
 */
function pageQuery(columns: string, query: LedgerQuery, viewer: User) {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? defaultPageSize;
  const { where, params } = conditions(query, viewer);
  const sql = `SELECT ${columns} ${fromRecordings} ${where} ORDER BY ${orderBy[query.sort ?? 'newest']}
    LIMIT ${Number(pageSize) + 1} OFFSET ?`;
  return { sql, params: [...params, (page - 1) * pageSize], page, pageSize };
}

/**
 * One page of the ledger, for the pages that list it. The rows come as one JSON text of arrays:
 * V8 parses it in less time than the driver takes to hand over six hundred values one by one.
 */
export function queryLedger(db: Db, query: LedgerQuery, viewer: User): LedgerPage<LedgerListRow> {
  const { sql, params, page, pageSize } = pageQuery(`json_array(${listColumns}) AS row`, query, viewer);
  const joined = `SELECT '[' || coalesce(group_concat(row, ','), '') || ']' FROM (${sql})`;
  const [text] = statement(db, joined, { raw: true }).get(...params) as [string];
  const rows = JSON.parse(text) as unknown[][];
  return { rows: rows.slice(0, pageSize).map(toListRow), page, pageSize, hasMore: rows.length > pageSize };
}

/** Past this many matches the page says "more than": counting a million rows costs more than the page. */
export const countLimit = 10_000;

/** How many recordings the filter matches, up to `countLimit` (then `atLeast`). */
export function countLedger(db: Db, query: LedgerQuery, viewer: User): { count: number; atLeast: boolean } {
  const { where, params } = conditions(query, viewer);
  const count = statement(
    db,
    `SELECT count(*) FROM (SELECT 1 ${fromRecordings} ${where} LIMIT ${countLimit + 1})`,
    { raw: true },
  ).get(...params) as [number];
  return { count: Math.min(count[0], countLimit), atLeast: count[0] > countLimit };
}

const noRecordings = Buffer.alloc(0);

/**
 * One page of the ledger as the API's JSON, each recording built by SQLite in the shape of
 * `publicRecording` (see there) and the list joined there too, into bytes ready to send: turning
 * fifty recordings into JavaScript strings and back into UTF-8 cost more than finding them. The
 * list holds no duplicates, which is what that SQL assumes.
 */
export function queryLedgerJson(db: Db, query: LedgerQuery, viewer: User, zone: string): Buffer {
  const json = publicRecordingJson(zone);
  if (json === null) return ledgerJsonInJavaScript(db, query, viewer, zone);
  const { sql, params, page, pageSize } = pageQuery(`${json} AS recording`, query, viewer);
  const joined = `SELECT CAST(group_concat(recording, ',') AS BLOB), count(*) FROM (${sql})`;
  const [list, count] = statement(db, joined, { raw: true }).get(...params) as [Buffer | null, number];
  const hasMore = count > pageSize;
  return Buffer.concat([
    Buffer.from(`{"page":${page},"pageSize":${pageSize},"hasMore":${hasMore},"recordings":[`),
    hasMore ? withoutLastRecording(list!) : (list ?? noRecordings),
    Buffer.from(']}'),
  ]);
}

/** The same page for a zone with summer time, whose offsets SQLite cannot know. */
function ledgerJsonInJavaScript(db: Db, query: LedgerQuery, viewer: User, zone: string): Buffer {
  const { sql, params, page, pageSize } = pageQuery('r.*, d.serial AS device_serial', query, viewer);
  const rows = (statement(db, sql).all(...params) as Record<string, unknown>[]).map(toRecording);
  const recordings = rows.slice(0, pageSize).map((row) => publicRecording(row, zone));
  return Buffer.from(JSON.stringify({ page, pageSize, hasMore: rows.length > pageSize, recordings }));
}

/**
 * The list less its last recording, the one fetched only to learn that a next page exists. Each
 * recording starts with `{"id":`; inside a JSON string a quote is always written `\"`, so the last
 * `,{"id":` is where the last recording starts.
 */
function withoutLastRecording(list: Buffer): Buffer {
  return list.subarray(0, list.lastIndexOf(',{"id":'));
}

// Exports show no stage times, playback report or clerk's note: read as NULL, since turning those
// strings into JavaScript for a hundred thousand rows would cost more than finding them.
const exportColumns = `r.id, r.dock_id, r.device_id, r.source_path, r.source_size, NULL AS source_mtime, r.size_bytes,
  r.sha256, r.duplicate_of, r.archive_path, r.kind, r.start_time, r.end_time, r.start_ms, r.end_ms, r.start_source,
  r.clock_offset_seconds, r.time_flags, r.duration_seconds, r.local_date, r.officer_id, r.badge, r.officer_name,
  r.playback, NULL AS playback_detail, r.ingested_at, r.late, NULL AS copied_at, NULL AS verified_at,
  NULL AS probed_at, r.confirmed_at, r.confirmed_by, r.not_playing_at, NULL AS not_playing_by,
  NULL AS not_playing_note, d.serial AS device_serial`;

/** Every row of a filter, for CSV and XLSX export; capped so one click cannot exhaust the station. */
export const exportLimit = 100_000;

export function exportLedger(db: Db, query: LedgerQuery, viewer: User): LedgerRow[] {
  const { where, params } = conditions(query, viewer);
  return (
    statement(
      db,
      `SELECT ${exportColumns} ${fromRecordings} ${where} ORDER BY ${orderBy[query.sort ?? 'newest']} LIMIT ?`,
    ).all(...params, exportLimit) as Record<string, unknown>[]
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
