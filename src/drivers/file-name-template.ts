import { TranslatedError } from '../i18n/translated-error.ts';
import { isRealDate, type WallTime } from '../time/zone.ts';

export interface NameFields {
  serial?: string;
  badge?: string;
  start?: WallTime;
  seq?: number;
}

export interface CompiledTemplate {
  template: string;
  parse(fileName: string): NameFields | null;
}

const dateTokens: Record<string, { group: keyof WallTime; digits: number }> = {
  YYYY: { group: 'year', digits: 4 },
  MM: { group: 'month', digits: 2 },
  DD: { group: 'day', digits: 2 },
  HH: { group: 'hour', digits: 2 },
  mm: { group: 'minute', digits: 2 },
  ss: { group: 'second', digits: 2 },
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function dateFormatPattern(format: string): string {
  let pattern = '';
  let rest = format;
  while (rest) {
    const token = Object.keys(dateTokens).find((candidate) => rest.startsWith(candidate));
    if (token) {
      const { group, digits } = dateTokens[token];
      pattern += `(?<${group}>\\d{${digits}})`;
      rest = rest.slice(token.length);
    } else {
      pattern += escapeRegExp(rest[0]);
      rest = rest.slice(1);
    }
  }
  return pattern;
}

function fieldPattern(field: string): string {
  const [name, format] = field.split(':');
  switch (name) {
    case 'serial':
      return '(?<serial>[A-Za-z0-9-]+?)';
    case 'badge':
      return '(?<badge>[A-Za-z0-9]+?)';
    case 'seq':
      return '(?<seq>\\d+)';
    case 'ext':
      return '(?<ext>[A-Za-z0-9]+)';
    case 'any':
      return '.*?';
    case 'start':
      if (!format) throw new TranslatedError({ key: 'driver.template.startFormat' });
      return dateFormatPattern(format);
    default:
      throw new TranslatedError({ key: 'driver.template.unknownField', values: { field: `{${field}}` } });
  }
}

/** Turns a template such as `{serial}_{badge}_{start:YYYYMMDDHHmmss}_{seq}.{ext}` into a parser. */
export function compileTemplate(template: string): CompiledTemplate {
  let source = '';
  for (const piece of template.split(/(\{[^}]+\})/)) {
    if (!piece) continue;
    source += piece.startsWith('{') ? fieldPattern(piece.slice(1, -1)) : escapeRegExp(piece);
  }
  const pattern = new RegExp(`^${source}$`, 'i');
  return {
    template,
    parse(fileName) {
      const groups = pattern.exec(fileName)?.groups;
      if (!groups) return null;
      const fields: NameFields = {};
      if (groups.serial) fields.serial = groups.serial;
      if (groups.badge) fields.badge = groups.badge;
      if (groups.seq) fields.seq = Number(groups.seq);
      if (groups.year) {
        const start = {
          year: Number(groups.year),
          month: Number(groups.month ?? 1),
          day: Number(groups.day ?? 1),
          hour: Number(groups.hour ?? 0),
          minute: Number(groups.minute ?? 0),
          second: Number(groups.second ?? 0),
        };
        // A name that only looks like a date (or a recorder whose clock reset to year 2000) is no start time.
        if (!isRealDate(start) || start.year < 2005 || start.year > 2099) return null;
        fields.start = start;
      }
      return fields;
    },
  };
}

/** The first template that reads the name, with its fields. */
export function parseFileName(templates: CompiledTemplate[], fileName: string): NameFields | null {
  for (const template of templates) {
    const fields = template.parse(fileName);
    if (fields) return fields;
  }
  return null;
}
