import type { Db } from '../../ledger/database.ts';
import { type Device, holderAt, listDevices } from '../../ledger/devices.ts';

export interface DeviceOverview extends Device {
  holderBadge: string | null;
  holderName: string | null;
  lastDockId: number | null;
  lastDockAt: string | null;
  openFaults: number;
}

/** Each recorder with who holds it now, its last dock and how many faults are open. */
export function deviceOverview(db: Db, now: Date): DeviceOverview[] {
  const lastDock = db.prepare(
    'SELECT id, started_at AS startedAt FROM docks WHERE device_id = ? ORDER BY id DESC LIMIT 1',
  );
  const openFaults = db
    .prepare('SELECT COUNT(*) FROM device_faults WHERE device_id = ? AND resolved_at IS NULL')
    .pluck();
  return listDevices(db).map((device) => {
    const holder = holderAt(db, device.id, now);
    const dock = lastDock.get(device.id) as { id: number; startedAt: string } | undefined;
    return {
      ...device,
      holderBadge: holder?.badge ?? null,
      holderName: holder?.name ?? null,
      lastDockId: dock?.id ?? null,
      lastDockAt: dock?.startedAt ?? null,
      openFaults: Number(openFaults.get(device.id)),
    };
  });
}
