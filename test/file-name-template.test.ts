import { describe, expect, it } from 'vitest';
import generic from '../drivers/generic.ts';
import { compileTemplate, parseFileName } from '../src/drivers/file-name-template.ts';

describe('file name templates', () => {
  const named = compileTemplate('{serial}_{badge}_{start:YYYYMMDDHHmmss}_{seq}.{ext}');

  it('reads serial, badge, start and sequence from a GA/T 947 style name', () => {
    expect(named.parse('DSJ0001_100234_20261126183005_0007.MP4')).toEqual({
      serial: 'DSJ0001',
      badge: '100234',
      seq: 7,
      start: { year: 2026, month: 11, day: 26, hour: 18, minute: 30, second: 5 },
    });
  });

  it('ignores the case of the extension', () => {
    expect(named.parse('A1_B2_20261126183005_1.mp4')?.serial).toBe('A1');
  });

  it('refuses names whose date is not a real date', () => {
    expect(named.parse('DSJ0001_100234_20261332250000_0001.MP4')).toBeNull();
  });

  it('refuses dates from a recorder whose clock reset to the year 2000', () => {
    expect(named.parse('DSJ0001_100234_20000101000005_0001.MP4')).toBeNull();
  });

  it('refuses names of another shape', () => {
    expect(named.parse('VID_0001.MP4')).toBeNull();
  });

  it('tries templates in order and returns the first that reads the name', () => {
    const templates = [
      '{serial}_{start:YYYYMMDD_HHmmss}.{ext}',
      '{any}{start:YYYYMMDDHHmmss}{any}.{ext}',
    ].map(compileTemplate);
    expect(parseFileName(templates, 'CAM7_20261126_183005.MP4')?.serial).toBe('CAM7');
    expect(parseFileName(templates, 'REC20261126183005A.MP4')?.start?.hour).toBe(18);
  });

  it('reads the start time from the name shapes common recorders write, with the generic driver', () => {
    const templates = (generic.fileNames ?? []).map(compileTemplate);
    const names = [
      'DSJ_A8_20261126183005_0001.MP4',
      '20261126_183005_0001.MP4',
      'VID_20261126_183005.mp4',
      'IMG20261126183005.JPG',
      'REC_20261126-183005.WAV',
      '2026-11-26_18-30-05.mp4',
      '2026-11-26 18-30-05.mp4',
      '2026_1126_183005_001.MOV',
    ];
    for (const name of names) {
      expect(parseFileName(templates, name)?.start, name).toEqual({
        year: 2026,
        month: 11,
        day: 26,
        hour: 18,
        minute: 30,
        second: 5,
      });
    }
    expect(parseFileName(templates, 'MOVI0001.AVI')).toBeNull();
  });

  it('names an unknown field in its error', () => {
    expect(() => compileTemplate('{officer}.{ext}')).toThrow(/officer/);
  });
});
