import { describe, expect, it } from 'vitest';
import { resolveRecordingTime, type TimeEvidence } from '../src/ingest/recording-time.ts';

const policy = {
  zone: 'Asia/Shanghai',
  now: new Date('2026-11-26T12:00:00Z'),
  toleranceSeconds: 300,
  maxFutureSeconds: 3600,
};

const evidence = (overrides: Partial<TimeEvidence>): TimeEvidence => ({
  nameStart: null,
  containerCreationTime: null,
  containerZone: 'utc',
  fileSystemZone: 'utc',
  fileSystemTime: new Date('2026-11-26T10:40:05Z'),
  durationSeconds: 600,
  clockOffsetSeconds: null,
  ...overrides,
});

describe('choosing when a recording started', () => {
  it('prefers the local time in the file name', () => {
    const time = resolveRecordingTime(
      evidence({ nameStart: { year: 2026, month: 11, day: 26, hour: 18, minute: 30, second: 5 } }),
      policy,
    );
    expect(time.startSource).toBe('file-name');
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
    expect(time.end.toISOString()).toBe('2026-11-26T10:40:05.000Z');
    expect(time.flags).toEqual([]);
  });

  it('uses the container creation_time as UTC when there is no name time', () => {
    const time = resolveRecordingTime(
      evidence({ containerCreationTime: '2026-11-26T10:30:05.000000Z' }),
      policy,
    );
    expect(time.startSource).toBe('container');
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
  });

  it('reads creation_time as local wall time for families that write it so', () => {
    const time = resolveRecordingTime(
      evidence({ containerCreationTime: '2026-11-26T18:30:05.000000Z', containerZone: 'local' }),
      policy,
    );
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
  });

  it('falls back to the file system time, which marks the end of writing', () => {
    const time = resolveRecordingTime(evidence({}), policy);
    expect(time.startSource).toBe('file-system');
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
  });

  it('skips a creation_time from a reset clock and says so', () => {
    const time = resolveRecordingTime(
      evidence({ containerCreationTime: '2000-01-01T00:00:10.000000Z' }),
      policy,
    );
    expect(time.startSource).toBe('file-system');
    expect(time.flags).toContain('container-time-implausible');
  });

  it('flags a start in the future', () => {
    const time = resolveRecordingTime(
      evidence({ nameStart: { year: 2026, month: 11, day: 27, hour: 18, minute: 0, second: 0 } }),
      policy,
    );
    expect(time.flags).toContain('in-future');
  });

  it('flags a name time far from the file system time', () => {
    const time = resolveRecordingTime(
      evidence({ nameStart: { year: 2026, month: 11, day: 26, hour: 12, minute: 0, second: 0 } }),
      policy,
    );
    expect(time.flags).toContain('far-from-file-system-time');
  });

  it('knows a FAT time written as local wall time and read as UTC, and does not call it far', () => {
    const time = resolveRecordingTime(
      evidence({
        nameStart: { year: 2026, month: 11, day: 26, hour: 18, minute: 30, second: 5 },
        fileSystemTime: new Date('2026-11-26T18:40:05Z'),
      }),
      policy,
    );
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
    expect(time.flags).toEqual(['file-system-time-local']);
  });

  it('reads file system times as local wall time for families that write them so', () => {
    const time = resolveRecordingTime(
      evidence({ fileSystemTime: new Date('2026-11-26T18:40:05Z'), fileSystemZone: 'local' }),
      policy,
    );
    expect(time.startSource).toBe('file-system');
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
    expect(time.flags).toEqual([]);
  });

  it('reads a local file system time across the night into the right day', () => {
    const time = resolveRecordingTime(
      evidence({ fileSystemTime: new Date('2026-11-27T00:05:00Z'), fileSystemZone: 'local' }),
      policy,
    );
    // 00:05 on the 27th, Shanghai wall time, minus 10 minutes of recording: 23:55 on the 26th.
    expect(time.start.toISOString()).toBe('2026-11-26T15:55:00.000Z');
  });

  it('corrects times by the measured recorder clock offset and records the correction', () => {
    const time = resolveRecordingTime(
      evidence({
        nameStart: { year: 2026, month: 11, day: 26, hour: 21, minute: 30, second: 5 },
        fileSystemTime: new Date('2026-11-26T13:40:05Z'),
        clockOffsetSeconds: 3 * 3600,
      }),
      policy,
    );
    expect(time.start.toISOString()).toBe('2026-11-26T10:30:05.000Z');
    expect(time.flags).toContain('clock-corrected');
    expect(time.flags).not.toContain('far-from-file-system-time');
  });
});
