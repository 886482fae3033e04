import { isMessageKey, type MessageKey, translator } from './catalogue.ts';

/**
 * A value in a message: plain text or a number, or words of their own (a role, a state, a list of
 * choices) that are said in the reader's language too, so no stored code shows inside a sentence.
 */
export type MessageValue = string | number | Message | Message[];
export type MessageValues = Record<string, MessageValue>;

/** Words for people as a catalogue key and its values, so each reader gets them in their language. */
export interface Message {
  key: MessageKey;
  values?: MessageValues;
}

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The message in `t`'s language, its nested words first; a list is joined the language's way. */
export function say(t: Translate, message: Message): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.values ?? {})) {
    values[name] = Array.isArray(value)
      ? value.map((item) => say(t, item)).join(t('list.separator'))
      : typeof value === 'object'
        ? say(t, value)
        : value;
  }
  return t(message.key, values);
}

/** A stored code (a role, a request state) as words: `label('dash.role.', 'clerk')`. */
export const label = (prefix: string, code: string): Message => ({ key: `${prefix}${code}` as MessageKey });

/**
 * A code's words from the first of `prefixes` the catalogues have them under
 * (`codeWords('dash.audit.key.', 'badge')`), else the code itself.
 */
export function codeWords(prefixes: string | string[], code: string): Message | string {
  const prefix = [prefixes].flat().find((candidate) => isMessageKey(`${candidate}${code}`));
  return prefix ? label(prefix, code) : code;
}

/**
 * Codes a person types on the command line (`--kind evidence`), each with its meaning: what to type
 * and what it stands for. A code without a message shows as itself.
 */
export const choices = (prefix: string, codes: readonly string[]): Message[] =>
  codes.map((code) => ({
    key: 'choice.coded',
    values: { code, label: codeWords(prefix, code) },
  }));

const english = translator('en');

/** The English of a message: what the audit log and the station's log keep, whoever reads the page. */
export const englishText = (message: Message): string => say(english, message);

/**
 * An error whose words come from the catalogues: `.message` is the English (logs, audit), `key` and
 * `values` let a command or a page say it in the reader's language. A plain string is an error not yet
 * moved to the catalogues; it is shown as it is.
 */
export class TranslatedError extends Error {
  readonly key?: MessageKey;
  readonly values?: MessageValues;

  constructor(message: string | Message) {
    super(typeof message === 'string' ? message : englishText(message));
    if (typeof message !== 'string') {
      this.key = message.key;
      this.values = message.values;
    }
  }
}

/** What `error` says in `t`'s language: its message key when it carries one, its own words otherwise. */
export function errorText(t: Translate, error: unknown): string {
  const { key, values, message } = error as { key?: MessageKey; values?: MessageValues; message?: string };
  return key ? say(t, { key, values }) : String(message ?? error);
}
