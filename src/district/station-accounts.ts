import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/** The PostgreSQL group whose members the district ledger's row-level security binds to their own rows. */
export const stationGroup = 'bwc_station';

// station.id is `^[a-z0-9][a-z0-9-]{0,62}$` (the config schema): a valid role name once quoted.
const stationIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface StationAccount {
  stationId: string;
  /** The role the station logs in as; the same text as its station.id, so the policies compare the two. */
  role: string;
  password: string;
  /** district.postgresUrl for that station: the admin's URL with the station's role and password. */
  postgresUrl: string;
}

/**
 * Creates (or gives a new password to) the login role a station uses for the district ledger. Run by
 * the district's administrator after `station district migrate`; the station then writes only rows
 * under its own id, whatever its code does, because PostgreSQL checks every row it inserts or changes.
 */
export async function addStationAccount(
  client: pg.ClientBase,
  adminUrl: string,
  stationId: string,
  password: string = randomBytes(18).toString('base64url'),
): Promise<StationAccount> {
  if (!stationIdPattern.test(stationId)) {
    throw new Error(`station id "${stationId}" is not a short id like ft-dongtiejiangying`);
  }
  const role = `"${stationId}"`;
  const literal = `'${password.replaceAll("'", "''")}'`;
  // Roles are cluster-wide: the same station may already have one from another district database.
  await client
    .query(`CREATE ROLE ${role} WITH LOGIN PASSWORD ${literal} IN ROLE ${stationGroup}`)
    .catch(async (error: { code?: string }) => {
      if (error.code !== '42710' && error.code !== '23505') throw error;
      await client.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${literal}`);
    });
  await client.query(`GRANT ${stationGroup} TO ${role}`);
  const database = (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name;
  await client.query(`GRANT CONNECT ON DATABASE "${database.replaceAll('"', '""')}" TO ${role}`);
  const url = new URL(adminUrl);
  url.username = stationId;
  url.password = password;
  return { stationId, role: stationId, password, postgresUrl: url.toString() };
}

/**
 * Whether this connection skips the row-level security (a superuser, a BYPASSRLS role or the tables'
 * owner): a station configured that way could write other stations' rows, so `district status` says so.
 */
export async function bypassesRowSecurity(client: pg.ClientBase | pg.Pool): Promise<boolean> {
  const { rows } = await client.query<{ bypasses: boolean }>(
    `SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, t.tableowner, 'USAGE') AS bypasses
     FROM pg_roles r, pg_tables t WHERE r.rolname = current_user AND t.tablename = 'recordings'
       AND t.schemaname = current_schema()`,
  );
  return rows[0]?.bypasses ?? true;
}
