import { appendAudit } from '../../custody/audit-log.ts';
import type { Db } from '../../ledger/database.ts';
import { findDevice } from '../../ledger/devices.ts';
import { LedgerError } from '../../ledger/officers.ts';

/** A fault reported on a recorder (art. 17), open until ops resolve it. */
export interface DeviceFault {
  id: number;
  serial: string;
  description: string;
  reportedBy: string;
  reportedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export function reportFault(db: Db, serial: string, description: string, reporter: string, now: Date): void {
  const device = findDevice(db, serial.trim());
  if (!device) throw new LedgerError({ key: 'ledger.error.noDevice', values: { serial } });
  db.transaction(() => {
    const result = db
      .prepare(
        'INSERT INTO device_faults (device_id, description, reported_by, reported_at) VALUES (?, ?, ?, ?)',
      )
      .run(device.id, description, reporter, now.toISOString());
    appendAudit(
      db,
      {
        actor: reporter,
        action: 'device-fault',
        subjectType: 'device',
        subjectId: device.serial,
        detail: { faultId: Number(result.lastInsertRowid), description },
      },
      now,
    );
  }).immediate();
}

export function listFaults(db: Db, options: { openOnly?: boolean } = {}): DeviceFault[] {
  return db
    .prepare(
      `SELECT f.id, d.serial, f.description, f.reported_by AS reportedBy, f.reported_at AS reportedAt,
         f.resolved_at AS resolvedAt, f.resolved_by AS resolvedBy
       FROM device_faults f JOIN devices d ON d.id = f.device_id
       ${options.openOnly ? 'WHERE f.resolved_at IS NULL' : ''} ORDER BY f.reported_at DESC LIMIT 200`,
    )
    .all() as DeviceFault[];
}

export function resolveFault(db: Db, id: number, resolver: string, now: Date): void {
  db.transaction(() => {
    const fault = db
      .prepare(
        `SELECT d.serial FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.id = ? AND f.resolved_at IS NULL`,
      )
      .get(id) as { serial: string } | undefined;
    if (!fault) throw new LedgerError({ key: 'ledger.error.noOpenFault', values: { id } });
    db.prepare('UPDATE device_faults SET resolved_at = ?, resolved_by = ? WHERE id = ?').run(
      now.toISOString(),
      resolver,
      id,
    );
    appendAudit(
      db,
      {
        actor: resolver,
        action: 'device-fault',
        subjectType: 'device',
        subjectId: fault.serial,
        detail: { faultId: id, resolved: true },
      },
      now,
    );
  }).immediate();
}
