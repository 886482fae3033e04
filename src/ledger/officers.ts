import { TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from './database.ts';

export interface Officer {
  id: number;
  badge: string;
  name: string;
  unit: string | null;
  createdAt: string;
}

interface OfficerRow {
  id: number;
  badge: string;
  name: string;
  unit: string | null;
  created_at: string;
}

const toOfficer = (row: OfficerRow): Officer => ({
  id: row.id,
  badge: row.badge,
  name: row.name,
  unit: row.unit,
  createdAt: row.created_at,
});

export class LedgerError extends TranslatedError {}

/** Adds an officer, or updates name and unit of the one holding that badge. */
export function saveOfficer(
  db: Db,
  officer: { badge: string; name: string; unit?: string | null },
  now: Date,
): Officer {
  const badge = officer.badge.trim();
  const name = officer.name.trim();
  if (!badge) throw new LedgerError({ key: 'ledger.error.emptyBadge' });
  if (!name) throw new LedgerError({ key: 'ledger.error.emptyName' });
  db.prepare(
    `INSERT INTO officers (badge, name, unit, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (badge) DO UPDATE SET name = excluded.name, unit = COALESCE(excluded.unit, officers.unit)`,
  ).run(badge, name, officer.unit ?? null, now.toISOString());
  return findOfficerByBadge(db, badge)!;
}

export function findOfficerByBadge(db: Db, badge: string): Officer | null {
  const row = db.prepare('SELECT * FROM officers WHERE badge = ?').get(badge) as OfficerRow | undefined;
  return row ? toOfficer(row) : null;
}

export function listOfficers(db: Db): Officer[] {
  return (db.prepare('SELECT * FROM officers ORDER BY badge').all() as OfficerRow[]).map(toOfficer);
}
