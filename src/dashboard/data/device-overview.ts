import type { Db } from '../../ledger/database.ts';
import { type Device, holderAt, listDevices } from '../../ledger/devices.ts';

export interface DeviceOverview extends Device {
  holderBadge: string | null;
  holderName: string | null;
  /** Where the holder comes from: a hand-over on record, or the badge in its latest recordings. */
  holderSource: 'assignment' | 'recordings' | null;
  lastDockId: number | null;
  lastDockAt: string | null;
  openFaults: number;
}

/** Each recorder with who holds it now, its last dock and how many faults are open. */
export function deviceOverview(db: Db, now: Date): DeviceOverview[] {
  const lastDock = db.prepare(
    'SELECT id, started_at AS startedAt FROM docks WHERE device_id = ? ORDER BY id DESC LIMIT 1',
  );
  // Without a hand-over on record, the badge its own files carry says who used it last.
  const lastUser = db.prepare(
    `SELECT r.badge, o.name FROM recordings r LEFT JOIN officers o ON o.badge = r.badge
     WHERE r.device_id = ? AND r.badge IS NOT NULL ORDER BY r.id DESC LIMIT 1`,
  );
  const openFaults = db
    .prepare('SELECT COUNT(*) FROM device_faults WHERE device_id = ? AND resolved_at IS NULL')
    .pluck();
  return listDevices(db).map((device) => {
    const assigned = holderAt(db, device.id, now);
    const recorded = assigned
      ? undefined
      : (lastUser.get(device.id) as { badge: string; name: string | null } | undefined);
    const holder = assigned ?? recorded;
    const dock = lastDock.get(device.id) as { id: number; startedAt: string } | undefined;
    return {
      ...device,
      holderBadge: holder?.badge ?? null,
      holderName: holder?.name ?? null,
      holderSource: assigned ? 'assignment' : recorded ? 'recordings' : null,
      lastDockId: dock?.id ?? null,
      lastDockAt: dock?.startedAt ?? null,
      openFaults: Number(openFaults.get(device.id)),
    };
  });
}
