// Server-rendered pages: every interpolated value is escaped unless it is already Html, so a
// recorder's file name or an officer's name can never become markup.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | Value[];

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Bidirectional controls reorder the text around them: a file named `clip\u202Egnp.exe` reads as
// `clipexe.png`. Pages show them as visible codes instead.
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const special = /[&<>"'\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Bidi controls as `[U+202E]`, for text that goes to a page by another way than `html` (live events). */
export function showBidiControls(text: string): string {
  return text.replace(
    bidiControls,
    (char) => `[U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

export function escapeHtml(text: string): string {
  // Most values (ids, dates, names) hold nothing to escape: testing first spares a copy of each.
  return special.test(text) ? showBidiControls(text).replace(/[&<>"']/g, (char) => escapes[char]) : text;
}

// A ledger page renders some eight hundred values: strings first, and numbers need no escaping.
function render(value: Value): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value instanceof Html) return value.text;
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0];
  for (let index = 0; index < values.length; index++) text += render(values[index]) + strings[index + 1];
  return new Html(text);
}

/** Markup the code itself wrote (never user or recorder data). */
export function trusted(text: string): Html {
  return new Html(text);
}
