import type { Db } from './database.ts';
import { findOfficerByBadge, LedgerError, type Officer } from './officers.ts';

export interface Device {
  id: number;
  serial: string;
  driver: string | null;
  model: string | null;
  firstSeenAt: string;
  lastSeenAt: string | null;
  clockOffsetSeconds: number | null;
  freeBytes: number | null;
  totalBytes: number | null;
  batteryPercent: number | null;
}

export interface Assignment {
  id: number;
  serial: string;
  badge: string;
  officerName: string;
  validFrom: string;
  validTo: string | null;
}

interface DeviceRow {
  id: number;
  serial: string;
  driver: string | null;
  model: string | null;
  first_seen_at: string;
  last_seen_at: string | null;
  clock_offset_seconds: number | null;
  free_bytes: number | null;
  total_bytes: number | null;
  battery_percent: number | null;
}

const toDevice = (row: DeviceRow): Device => ({
  id: row.id,
  serial: row.serial,
  driver: row.driver,
  model: row.model,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  clockOffsetSeconds: row.clock_offset_seconds,
  freeBytes: row.free_bytes,
  totalBytes: row.total_bytes,
  batteryPercent: row.battery_percent,
});

export function findDevice(db: Db, serial: string): Device | null {
  const row = db.prepare('SELECT * FROM devices WHERE serial = ?').get(serial) as DeviceRow | undefined;
  return row ? toDevice(row) : null;
}

export function listDevices(db: Db): Device[] {
  return (db.prepare('SELECT * FROM devices ORDER BY serial').all() as DeviceRow[]).map(toDevice);
}

/** The device with this serial, created on first sight; driver and model fill in when learnt. */
export function ensureDevice(
  db: Db,
  device: { serial: string; driver?: string | null; model?: string | null },
  now: Date,
): Device {
  db.prepare(
    `INSERT INTO devices (serial, driver, model, first_seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (serial) DO UPDATE SET driver = COALESCE(excluded.driver, devices.driver),
       model = COALESCE(excluded.model, devices.model)`,
  ).run(device.serial, device.driver ?? null, device.model ?? null, now.toISOString());
  return findDevice(db, device.serial)!;
}

export function recordDeviceSighting(
  db: Db,
  deviceId: number,
  seen: {
    at: Date;
    clockOffsetSeconds?: number | null;
    freeBytes?: number | null;
    totalBytes?: number | null;
    batteryPercent?: number | null;
  },
): void {
  db.prepare(
    `UPDATE devices SET last_seen_at = ?, clock_offset_seconds = COALESCE(?, clock_offset_seconds),
       free_bytes = COALESCE(?, free_bytes), total_bytes = COALESCE(?, total_bytes),
       battery_percent = COALESCE(?, battery_percent) WHERE id = ?`,
  ).run(
    seen.at.toISOString(),
    seen.clockOffsetSeconds ?? null,
    seen.freeBytes ?? null,
    seen.totalBytes ?? null,
    seen.batteryPercent ?? null,
    deviceId,
  );
}

/**
 * Hands a device to an officer from `from` (until `to`, exclusive, or open-ended). An open assignment
 * that began earlier is closed at `from`, since a pooled recorder has one holder at a time.
 */
export function assignDevice(
  db: Db,
  request: { serial: string; badge: string; from: Date; to: Date | null },
  now: Date,
): Assignment {
  const officer = findOfficerByBadge(db, request.badge);
  if (!officer)
    throw new LedgerError({ key: 'ledger.error.noOfficerAddFirst', values: { badge: request.badge } });
  if (request.to && request.to <= request.from) throw new LedgerError({ key: 'ledger.error.toBeforeFrom' });
  return db
    .transaction(() => {
      const device = ensureDevice(db, { serial: request.serial }, now);
      const from = request.from.toISOString();
      const to = request.to?.toISOString() ?? null;
      db.prepare(
        'UPDATE device_assignments SET valid_to = ? WHERE device_id = ? AND valid_to IS NULL AND valid_from < ?',
      ).run(from, device.id, from);
      const overlapping = db
        .prepare(
          `SELECT id FROM device_assignments WHERE device_id = ?
           AND (valid_to IS NULL OR valid_to > ?) AND (? IS NULL OR valid_from < ?)`,
        )
        .get(device.id, from, to, to) as { id: number } | undefined;
      if (overlapping) {
        throw new LedgerError({
          key: 'ledger.error.deviceAssigned',
          values: { serial: request.serial, assignment: overlapping.id },
        });
      }
      const result = db
        .prepare(
          'INSERT INTO device_assignments (device_id, officer_id, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(device.id, officer.id, from, to, now.toISOString());
      return listAssignments(db, request.serial).find(
        (assignment) => assignment.id === Number(result.lastInsertRowid),
      )!;
    })
    .immediate();
}

export function listAssignments(db: Db, serial?: string): Assignment[] {
  return db
    .prepare(
      `SELECT a.id, d.serial, o.badge, o.name AS officerName, a.valid_from AS validFrom, a.valid_to AS validTo
       FROM device_assignments a JOIN devices d ON d.id = a.device_id JOIN officers o ON o.id = a.officer_id
       WHERE (? IS NULL OR d.serial = ?) ORDER BY d.serial, a.valid_from`,
    )
    .all(serial ?? null, serial ?? null) as Assignment[];
}

/** Who held the device at that instant, if anyone. */
export function holderAt(db: Db, deviceId: number, instant: Date): Officer | null {
  const at = instant.toISOString();
  const row = db
    .prepare(
      `SELECT o.id, o.badge, o.name, o.unit, o.created_at AS createdAt FROM device_assignments a
       JOIN officers o ON o.id = a.officer_id
       WHERE a.device_id = ? AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)
       ORDER BY a.valid_from DESC LIMIT 1`,
    )
    .get(deviceId, at, at) as Officer | undefined;
  return row ?? null;
}
