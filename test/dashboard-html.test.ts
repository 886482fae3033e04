import { describe, expect, it } from 'vitest';
import { html, trusted } from '../src/dashboard/html.ts';
import { parseRange } from '../src/dashboard/media-range.ts';
import { codeLabel, translator } from '../src/i18n/catalogue.ts';
import { formatDateTime, formatSeconds } from '../src/i18n/format.ts';
import { isoInZone } from '../src/time/zone.ts';

describe('the html template helper', () => {
  it('escapes every interpolated value unless it is already markup', () => {
    const name = `<img src=x onerror="alert('x')">`;
    const page = html`<p title="${name}">${name} ${html`<b>${'&'}</b>`} ${trusted('<hr>')}</p>`;
    expect(page.text).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; <b>&amp;</b> <hr></p>',
    );
  });

  it('joins lists and leaves out null, undefined and false', () => {
    expect(
      html`<ul>${['a<', 'b'].map((item) => html`<li>${item}</li>`)}</ul>${null}${undefined}${false}${0}`.text,
    ).toBe('<ul><li>a&lt;</li><li>b</li></ul>0');
  });
});

describe('dates on pages', () => {
  it('are the station zone wall clock, the same as isoInZone, across daylight saving changes', () => {
    const instants = [
      '2026-11-26T16:30:05.900Z',
      '2026-03-08T06:59:59Z',
      '2026-03-08T07:00:00Z',
      '2026-11-01T05:30:00Z',
    ];
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'America/St_Johns']) {
      for (const iso of instants) {
        expect(formatDateTime(iso, zone)).toBe(isoInZone(new Date(iso), zone).slice(0, 19).replace('T', ' '));
      }
    }
    // Leap days, year ends and instants before 1970, then a spread over two centuries.
    const more = [
      '2024-02-29T23:59:59Z',
      '2000-02-29T16:00:00Z',
      '1969-12-31T23:59:59.999Z',
      '2099-12-31T16:00:00Z',
    ];
    for (let index = 0; index < 500; index++)
      more.push(
        new Date(Date.UTC(1960, 0, 1) + Math.floor(Math.random() * 140 * 365.25 * 86_400_000)).toISOString(),
      );
    for (const iso of more)
      expect(formatDateTime(iso, 'Asia/Shanghai')).toBe(
        isoInZone(new Date(iso), 'Asia/Shanghai').slice(0, 19).replace('T', ' '),
      );
    expect(formatDateTime('2026-11-26T16:30:05Z', 'Asia/Shanghai')).toBe('2026-11-27 00:30:05');
    expect(formatDateTime(null, 'Asia/Shanghai')).toBe('');
  });
});

describe('byte ranges for the player', () => {
  it('reads the forms browsers send and refuses ranges beyond the file', () => {
    expect(parseRange(undefined, 1000)).toBe('all');
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=100-199', 1000)).toEqual({ start: 100, end: 199 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBeNull();
    expect(parseRange('bytes=5-2', 1000)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 1000)).toBe('all');
  });
});

describe('stored codes and units in the reader language', () => {
  it('translates a known code and shows an unknown one as it is', () => {
    const t = translator('zh-CN');
    expect(codeLabel(t, 'dash.audit.action.', 'mark-unplayable')).toBe('标记无法回放');
    expect(codeLabel(translator('en'), 'dash.audit.action.', 'mark-unplayable')).toBe(
      'Marked as not playing',
    );
    expect(codeLabel(t, 'dash.audit.action.', 'added-next-year')).toBe('added-next-year');
    expect(codeLabel(t, 'dash.audit.key.', 'constructor')).toBe('constructor');
  });

  it('writes seconds with the catalogue unit', () => {
    expect(formatSeconds(translator('zh-CN'), -12.4)).toBe('-12 秒');
    expect(formatSeconds(translator('en'), 0)).toBe('0 s');
  });
});
