// Recorders write wall-clock times with no zone (FAT/exFAT, file names); the station pins them to one
// IANA zone. Intl is the only zone database we rely on, so no tz data ships with the station.

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

let canonicalZones: Set<string> | undefined;

export function isValidTimeZone(zone: string): boolean {
  // The canonical names are listed in ~2 ms; the first formatter costs 25–40 ms of every command's
  // start, in a command that may never format a time. Aliases ('UTC', 'PRC', 'Etc/GMT-8') are not
  // listed, and take the formatter.
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export function wallTimeIn(instant: Date, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** Minutes east of UTC in `zone` at `instant` (Asia/Shanghai: +480). */
export function offsetMinutesAt(instant: Date, zone: string): number {
  const wall = wallTimeIn(instant, zone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((wallAsUtc - wholeSeconds) / 60000);
}

/**
 * The instant a zone's wall clock showed `wall`. In a DST gap or overlap the earlier offset wins,
 * which is what a recorder that never heard of DST would have meant half the time; Asia/Shanghai has none.
 */
export function instantOfWallTime(wall: WallTime, zone: string): Date {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  let guess = wallAsUtc - offsetMinutesAt(new Date(wallAsUtc), zone) * 60000;
  // A second pass settles guesses that crossed an offset change.
  guess = wallAsUtc - offsetMinutesAt(new Date(guess), zone) * 60000;
  return new Date(guess);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** ISO 8601 with the zone's offset, e.g. 2026-11-26T18:30:05+08:00 (whole seconds). */
export function isoInZone(instant: Date, zone: string): string {
  const wall = wallTimeIn(instant, zone);
  const date = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
  const time = `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
  return `${date}T${time}${formatOffset(offsetMinutesAt(instant, zone))}`;
}

/** The local calendar date (YYYY-MM-DD) of an instant in the zone. */
export function localDateIn(instant: Date, zone: string): string {
  return isoInZone(instant, zone).slice(0, 10);
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads a user-typed date or time: `YYYY-MM-DD` is the start of that local day in the zone;
 * a full ISO time with an offset or Z is taken as written; one without is local wall time.
 */
export function parseUserTime(text: string, zone: string): Date | null {
  const dateOnly = datePattern.exec(text);
  if (dateOnly) {
    const [, year, month, day] = dateOnly.map(Number);
    const wall = { year, month, day, hour: 0, minute: 0, second: 0 };
    return isRealDate(wall) ? instantOfWallTime(wall, zone) : null;
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (local) {
    const [, year, month, day, hour, minute, second = 0] = local.map((part) => Number(part ?? 0));
    const wall = { year, month, day, hour, minute, second };
    return isRealDate(wall) ? instantOfWallTime(wall, zone) : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

export function isRealDate(wall: WallTime): boolean {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  return (
    date.getUTCFullYear() === wall.year &&
    date.getUTCMonth() === wall.month - 1 &&
    date.getUTCDate() === wall.day &&
    date.getUTCHours() === wall.hour &&
    date.getUTCMinutes() === wall.minute &&
    date.getUTCSeconds() === wall.second
  );
}

/** The instant that starts the local day after `date` (YYYY-MM-DD) — an exclusive upper bound. */
export function startOfNextLocalDay(date: string, zone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return instantOfWallTime(
    {
      year: next.getUTCFullYear(),
      month: next.getUTCMonth() + 1,
      day: next.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    zone,
  );
}

const utcInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A stored UTC instant (`…Z`) as machines read it on this station: ISO 8601 with the zone's offset. */
export function machineTime(iso: string | null, zone: string): string | null {
  if (iso === null || !utcInstant.test(iso)) return iso;
  return isoInZone(new Date(iso), zone);
}

/**
 * A JSON value with every stored UTC instant in it given the zone's offset instead of `Z`: what the
 * CLI's --json and the HTTP API print, so no reader takes a UTC time for the station's own.
 */
export function withZoneOffsets<Value>(value: Value, zone: string): Value {
  if (typeof value === 'string') return machineTime(value, zone) as Value;
  if (Array.isArray(value)) return value.map((item) => withZoneOffsets(item, zone)) as Value;
  if (value instanceof Date) return isoInZone(value, zone) as Value;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = withZoneOffsets(item, zone);
    return copy as Value;
  }
  return value;
}

/**
 * The zone's offset in minutes if it has been the same in every season since 2000 (Asia/Shanghai:
 * 480), else null. With a fixed offset SQLite can write local times itself (see public-recording.ts).
 */
export function fixedOffsetMinutes(zone: string): number | null {
  let offset = fixedOffsets.get(zone);
  if (offset === undefined) {
    offset = offsetMinutesAt(new Date(Date.UTC(2000, 0, 1)), zone);
    for (let year = 2000; year <= 2100 && offset !== null; year++) {
      for (const month of [0, 3, 6, 9]) {
        if (offsetMinutesAt(new Date(Date.UTC(year, month, 1)), zone) !== offset) offset = null;
      }
    }
    fixedOffsets.set(zone, offset);
  }
  return offset;
}
const fixedOffsets = new Map<string, number | null>();

/** `20261202-034938`: the station's wall-clock time for file and folder names, sorting as time does. */
export function localStamp(instant: Date, zone: string): string {
  return isoInZone(instant, zone).slice(0, 19).replace(/-|:/g, '').replace('T', '-');
}
