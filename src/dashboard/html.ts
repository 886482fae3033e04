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

const special = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most values (ids, dates, names) hold nothing to escape: testing first spares a copy of each.
  return special.test(text) ? text.replace(/[&<>"']/g, (char) => escapes[char]) : text;
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0];
  for (const [index, value] of values.entries()) text += render(value) + strings[index + 1];
  return new Html(text);
}

/** Markup the code itself wrote (never user or recorder data). */
export function trusted(text: string): Html {
  return new Html(text);
}
