import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type MessageKey = keyof typeof zhCN;
export type Catalogue = Record<MessageKey, string>;
export type Language = 'zh-CN' | 'en';

export const catalogues: Record<Language, Catalogue> = { 'zh-CN': zhCN, en };

/** A translator for one language; `{name}` placeholders are filled from `values`. */
export function translator(language: Language) {
  const catalogue = catalogues[language] ?? zhCN;
  // Most messages have no placeholder; a page asks for hundreds of them.
  return (key: MessageKey, values: Record<string, string | number> = {}) => {
    const message = catalogue[key];
    return message.includes('{')
      ? message.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`))
      : message;
  };
}

/** Whether a key made at run time (from a stored code) has a message; both catalogues have the same keys. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/**
 * The message for a code kept in the database (an audit action, a check name), or the code itself:
 * old rows and new codes must still show something.
 */
export function codeLabel(t: (key: MessageKey) => string, prefix: string, code: string): string {
  const key = `${prefix}${code}`;
  return isMessageKey(key) ? t(key) : code;
}
