import { codeLabel, type MessageKey, type translator } from '../i18n/catalogue.ts';

// Why a file of a dock was not archived this time, as a code with its values: the catalogues word it
// for people (`file.note.<code>`), in the dock card, the API and the CLI alike. The English `reason`
// beside it stays the technical message, for the log and for whoever reads the JSON.

export const fileNoteCodes = [
  'already-archived',
  'not-copied',
  'outside-recording-folders',
  'folder-unreadable',
  'symbolic-link',
  'not-regular-file',
  'system-metadata',
  'not-a-recording',
  'unreadable',
  'empty-file',
  'source-changed',
  'verification-failed',
  'copy-failed',
] as const;
export type FileNoteCode = (typeof fileNoteCodes)[number];

export interface FileNote {
  code: FileNoteCode;
  /** Placeholders of the message: `id` (a recording), `reason` (a dock reason code), `detail`. */
  values?: Record<string, string | number>;
}

export const fileNote = (code: FileNoteCode, values?: FileNote['values']): FileNote =>
  values ? { code, values } : { code };

/** The stored form (dock_files.note) back to a note; null for rows from before notes. */
export function parseFileNote(stored: string | null): FileNote | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as FileNote;
  } catch {
    return null;
  }
}

type Translate = ReturnType<typeof translator>;

/** The note in the reader's language; a stop reason it names is worded as the dock card words it. */
export function fileNoteLabel(t: Translate, note: FileNote): string {
  const values = { ...note.values };
  if (typeof values.reason === 'string') values.reason = codeLabel(t, 'dash.dockReason.', values.reason);
  return t(`file.note.${note.code}` as MessageKey, values);
}
