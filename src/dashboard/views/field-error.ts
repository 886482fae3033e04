import { type Html, html } from '../html.ts';

/** Problems with what a user typed, by field name; each is shown beside its field on the same page. */
export type FieldErrors = Partial<Record<string, string>>;

/** The message beside a field (id `<id>-error`), or nothing when the field is fine. */
export function fieldError(errors: FieldErrors, name: string, id = name): Html | string {
  const message = errors[name];
  return message ? html`<span class="bad field-error" id="${id}-error">${message}</span>` : '';
}

/** `aria-invalid` for a field with a problem, so it is marked and read out as wrong. */
export const invalid = (errors: FieldErrors, name: string) => (errors[name] ? 'true' : 'false');
