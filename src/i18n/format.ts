import { offsetMinutesAt } from '../time/zone.ts';
import { isMessageKey, type translator } from './catalogue.ts';

// Values as people read them, in the dashboard, the exports and the CLI alike: station wall-clock
// times, durations, sizes. Machines get ISO 8601 with the offset instead (time/zone.ts isoInZone).

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
  return wallText(instantMs + offsetMinutes(instantMs, zone) * 60_000);
}

const twoDigits = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/**
 * `YYYY-MM-DD HH:MM:SS` of a UTC millisecond count, by arithmetic: Date's toISOString costs about
 * 0.8 µs and a ledger page formats a hundred times. Days to a civil date as in H. Hinnant's
 * `civil_from_days` (proleptic Gregorian, any year from 0 to 9999).
 */
function wallText(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const second = Math.floor((ms - days * 86_400_000) / 1000);
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${twoDigits[month]}-${twoDigits[day]} ${twoDigits[Math.floor(second / 3600)]}:${twoDigits[Math.floor(second / 60) % 60]}:${twoDigits[second % 60]}`;
}

/**
 * A recorder family's name for people: the catalogue's (`driver.<id>`) where it has one, else the
 * name its definition gives, else the stored id or model as it is.
 */
export function driverLabel(
  t: ReturnType<typeof translator>,
  drivers: readonly { id: string; name: string }[],
  id: string | null,
): string {
  if (!id) return '';
  const key = `driver.${id}`;
  if (isMessageKey(key)) return t(key);
  return drivers.find((driver) => driver.id === id)?.name ?? id;
}

/** Sizes in steps of 1024 with the units Windows shows (KB, MB, GB), the ones station users know. */
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

/** Whole seconds with the reader's unit: `-12 秒`, `-12 s`. */
export function formatSeconds(t: ReturnType<typeof translator>, seconds: number): string {
  return t('dash.unit.seconds', { n: Math.round(seconds) });
}

/** A span as people say it: `2 小时`, `2 小时 5 分`, `3 分 20 秒`, `45 秒` (hours drop the seconds). */
export function formatSpan(t: ReturnType<typeof translator>, seconds: number): string {
  const whole = Math.round(Math.abs(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  if (hours > 0)
    return minutes > 0
      ? t('dash.unit.hoursMinutes', { h: hours, m: minutes })
      : t('dash.unit.hours', { h: hours });
  if (minutes > 0) return t('dash.unit.minutesSeconds', { m: minutes, s: whole % 60 });
  return t('dash.unit.seconds', { n: whole });
}

/** How far a recorder's clock is off (its clock minus true time): `快 2 小时`, `慢 45 秒`, `准确`. */
export function clockOffsetLabel(t: ReturnType<typeof translator>, seconds: number): string {
  if (Math.round(seconds) === 0) return t('dash.clock.exact');
  return t(seconds > 0 ? 'dash.clock.fast' : 'dash.clock.slow', { span: formatSpan(t, seconds) });
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
}
