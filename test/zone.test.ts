import { describe, expect, it } from 'vitest';
import {
  instantOfWallTime,
  isoInZone,
  isValidTimeZone,
  localDateIn,
  offsetMinutesAt,
  parseUserTime,
  startOfNextLocalDay,
} from '../src/time/zone.ts';

const shanghai = 'Asia/Shanghai';

describe('station time zones', () => {
  it('knows Asia/Shanghai is eight hours east of UTC all year, with no DST', () => {
    expect(offsetMinutesAt(new Date('2026-01-15T00:00:00Z'), shanghai)).toBe(480);
    expect(offsetMinutesAt(new Date('2026-07-15T00:00:00Z'), shanghai)).toBe(480);
  });

  it('writes ISO 8601 times with the zone offset', () => {
    expect(isoInZone(new Date('2026-11-26T10:30:05Z'), shanghai)).toBe('2026-11-26T18:30:05+08:00');
  });

  it('puts a late-evening UTC instant on the next local date', () => {
    expect(localDateIn(new Date('2026-12-31T16:30:00Z'), shanghai)).toBe('2027-01-01');
  });

  it('reads a recorder wall time as the station zone', () => {
    const wall = { year: 2026, month: 11, day: 26, hour: 18, minute: 30, second: 5 };
    expect(instantOfWallTime(wall, shanghai).toISOString()).toBe('2026-11-26T10:30:05.000Z');
  });

  it('resolves a wall time inside a DST gap to an instant in a zone that has DST', () => {
    const gap = { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 };
    const instant = instantOfWallTime(gap, 'America/New_York');
    expect(Number.isNaN(instant.getTime())).toBe(false);
  });

  it('reads user dates as the start of that local day and keeps explicit offsets', () => {
    expect(parseUserTime('2026-11-26', shanghai)?.toISOString()).toBe('2026-11-25T16:00:00.000Z');
    expect(parseUserTime('2026-11-26T08:00:00Z', shanghai)?.toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(parseUserTime('2026-11-26T08:00', shanghai)?.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('rejects impossible dates such as 2026-02-30', () => {
    expect(parseUserTime('2026-02-30', shanghai)).toBeNull();
    expect(parseUserTime('yesterday', shanghai)).toBeNull();
  });

  it('accepts leap days only in leap years', () => {
    expect(parseUserTime('2028-02-29', shanghai)).not.toBeNull();
    expect(parseUserTime('2027-02-29', shanghai)).toBeNull();
  });

  it('finds the next local midnight across a month end', () => {
    expect(startOfNextLocalDay('2026-01-31', shanghai).toISOString()).toBe('2026-01-31T16:00:00.000Z');
  });

  it('tells real zone names from made-up ones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('takes zone aliases, which Intl does not list among its canonical names', () => {
    for (const alias of ['UTC', 'PRC', 'Asia/Chongqing', 'Etc/GMT-8'])
      expect(isValidTimeZone(alias)).toBe(true);
  });
});
