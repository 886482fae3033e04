import { isMessageKey, type MessageKey } from './catalogue.ts';
import type { Message } from './translated-error.ts';

// What a person gets told when a settings file (configuration, a JSON driver) or a JSON file is wrong:
// TypeBox and JSON.parse explain in English, so their findings are said again from the catalogues.

/** One way a value breaks its schema, as TypeBox reports it; `kind` is its ValueErrorType name. */
export interface SchemaProblem {
  path: string;
  message: string;
  kind?: string;
  schema: Record<string, unknown> & { description?: string };
  value: unknown;
}

// The schema keywords a problem's words mention.
const limits = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
];

/** The setting named by its dotted path, what is wrong with it, and what was found. */
export function schemaProblem(problem: SchemaProblem): Message {
  const key = problem.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
  const problemKey = `schema.problem.${problem.kind}`;
  const values: Record<string, string | number> = { detail: problem.message };
  for (const limit of limits)
    if (problem.schema[limit] !== undefined) values[limit] = String(problem.schema[limit]);
  const description = problem.schema.description;
  return {
    key: 'schema.error',
    values: {
      key,
      problem: { key: isMessageKey(problemKey) ? problemKey : 'schema.problem.other', values },
      // Descriptions are written in English, for whoever edits the file; the English reader gets them.
      description: description ? ` (${description})` : '',
      got:
        problem.value === undefined
          ? { key: 'schema.missing' }
          : { key: 'schema.got', values: { value: JSON.stringify(problem.value) } },
    },
  };
}

/** Why a file could not be read, from its error code (ENOENT, EACCES …). */
export function fileProblem(error: unknown): Message {
  const { code, message } = error as NodeJS.ErrnoException;
  const key = `file.error.${code}` as MessageKey;
  return isMessageKey(key)
    ? { key }
    : { key: 'file.error.other', values: { detail: code ?? String(message) } };
}

/** Why text is not JSON: where JSON.parse stopped, when it says. */
export function jsonProblem(error: unknown): Message {
  const detail = (error as Error).message;
  const position = /position (\d+)/.exec(detail)?.[1];
  return position
    ? { key: 'json.error.at', values: { position, detail } }
    : { key: 'json.error.other', values: { detail } };
}
