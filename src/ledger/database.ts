import { existsSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Migration, migrations } from './migrations/index.ts';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement kept for the life of the connection, for the paths every request takes
 * (its session, a ledger page): compiling the same SQL each time costs more than running it.
 * `raw` statements return each row as an array of its columns.
 */
export function statement(db: Db, sql: string, options: { raw?: boolean } = {}): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  const key = options.raw ? `raw ${sql}` : sql;
  let prepared = cache.get(key);
  if (!prepared) {
    prepared = db.prepare(sql);
    if (options.raw) prepared.raw(true);
    cache.set(key, prepared);
  }
  return prepared;
}

// Named, so better-sqlite3 does not look for its addon through `bindings`, which tries a dozen paths
// (15 ms of every command's start); an install that built it elsewhere is still found that way.
const builtAddon = createRequire(import.meta.url)
  .resolve('better-sqlite3/package.json')
  .replace(/package\.json$/, 'build/Release/better_sqlite3.node');
const nativeBinding = existsSync(builtAddon) ? builtAddon : undefined;

export function openDatabase(file: string, allMigrations: Migration[] = migrations): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { nativeBinding });
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: a ledger row that vanishes after a power cut would be a recording the station lost.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  migrate(db, allMigrations);
  return db;
}

/**
 * Runs writes whose loss in a power cut costs nothing (a dock's progress, the journal of a copy whose
 * partial file the start-up sweep removes anyway) without waiting for the disk. In WAL mode a commit
 * under synchronous = NORMAL is not fsynced; it becomes durable with the next FULL commit, and the
 * ledger stays consistent either way. While eight docks write to the archive disk an fsync of the WAL
 * takes tens of milliseconds, and every one of them stops the thread that hashes the copies.
 */
export function withoutWaitingForDisk<T>(db: Db, write: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/**
 * Commits `write`, then waits until it is on the disk without stopping this thread: the WAL is
 * fsynced on a libuv thread, after the commit. Under synchronous = FULL the commit would fsync on the
 * main thread, which moves every dock's buffers, for as long as the flush takes: on a busy archive disk
 * (a VM's host writes its own cache back at each flush) 100–300 ms in which no dock reads or writes.
 * Commits that come while a flush runs share the next one.
 */
export async function writeDurably<T>(db: Db, write: () => T): Promise<T> {
  if (!walFile(db)) return write();
  const result = withoutWaitingForDisk(db, write);
  await ledgerOnDisk(db);
  return result;
}

/** Resolves once every commit made before the call is on the disk. */
export function ledgerOnDisk(db: Db): Promise<void> {
  const file = walFile(db);
  if (!file) return Promise.resolve();
  let flush = walFlushes.get(db);
  if (!flush) {
    flush = new WalFlush(file);
    walFlushes.set(db, flush);
  }
  return flush.after();
}

const walFlushes = new WeakMap<Db, WalFlush>();
const walFiles = new WeakMap<Db, string | null>();

/** The connection's WAL file; null for a ledger in memory or not in WAL mode (its commits wait as they are). */
function walFile(db: Db): string | null {
  let file = walFiles.get(db);
  if (file === undefined) {
    file = !db.memory && db.pragma('journal_mode', { simple: true }) === 'wal' ? `${db.name}-wal` : null;
    walFiles.set(db, file);
  }
  return file;
}

/** fdatasyncs of one WAL file, one at a time; a caller waits for one that starts after its commit. */
class WalFlush {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly file: string) {}

  after(): Promise<void> {
    if (!this.running) return this.start();
    // The flush running now may have begun before the caller's commit was written.
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<void> {
    const flush: Promise<void> = syncFile(this.file).finally(() => {
      if (this.running === flush) this.running = null;
    });
    this.running = flush;
    return flush;
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export function migrate(db: Db, allMigrations: Migration[]): void {
  const ordered = [...allMigrations].sort((a, b) => a.version - b.version);
  // A ledger already up to date is only read: no write transaction, no fsync, for every command.
  if (pendingMigrations(db, ordered).length === 0) return;
  // Every pending migration in one transaction: one fsync instead of one per migration (a new home
  // has a dozen, about 120 ms of a command's start), and a failing one leaves the schema as it was.
  // The pending list is read again inside it: another process may have migrated meanwhile.
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const appliedAt = new Date().toISOString();
    for (const migration of pendingMigrations(db, ordered)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, appliedAt);
    }
  }).immediate();
}

function pendingMigrations(db: Db, ordered: Migration[]): Migration[] {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .pluck()
    .get();
  if (!hasTable) return ordered;
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((version) => Number(version)),
  );
  return ordered.filter((migration) => !applied.has(migration.version));
}
