import { type MessageKey, translator } from './catalogue.ts';

export type MessageValues = Record<string, string | number>;

/** Words for people as a catalogue key and its values, so each reader gets them in their language. */
export interface Message {
  key: MessageKey;
  values?: MessageValues;
}

const english = translator('en');

/** The English of a message: what the audit log and the station's log keep, whoever reads the page. */
export const englishText = (message: Message): string => english(message.key, message.values);

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
export function errorText(t: (key: MessageKey, values?: MessageValues) => string, error: unknown): string {
  const { key, values, message } = error as { key?: MessageKey; values?: MessageValues; message?: string };
  return key ? t(key, values) : String(message ?? error);
}
