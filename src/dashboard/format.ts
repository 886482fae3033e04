import { offsetMinutesAt } from '../time/zone.ts';

// A ledger page shows a hundred times; asking Intl for each costs more than the query. Zone offsets
// change only on quarter hours (UTC), so one answer per zone and quarter hour serves them all.
const quarterHourMs = 900_000;
const offsetsByZone = new Map<string, Map<number, number>>();

function offsetMinutes(instantMs: number, zone: string): number {
  let offsets = offsetsByZone.get(zone);
  if (!offsets) {
    offsets = new Map();
    offsetsByZone.set(zone, offsets);
  }
  const quarterHour = Math.floor(instantMs / quarterHourMs);
  let offset = offsets.get(quarterHour);
  if (offset === undefined) {
    if (offsets.size > 50_000) offsets.clear();
    offset = offsetMinutesAt(new Date(instantMs), zone);
    offsets.set(quarterHour, offset);
  }
  return offset;
}

/** `2026-11-26 18:30:05` on the station's wall clock: readable in Chinese and English alike. */
export function formatDateTime(iso: string | null | undefined, zone: string): string {
  if (!iso) return '';
  const instantMs = Date.parse(iso);
  if (Number.isNaN(instantMs)) return iso;
  const wall = new Date(Math.floor(instantMs / 1000) * 1000 + offsetMinutes(instantMs, zone) * 60_000);
  return wall.toISOString().slice(0, 19).replace('T', ' ');
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  const whole = Math.round(seconds);
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
}
