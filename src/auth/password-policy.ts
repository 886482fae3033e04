import type { MessageKey } from '../i18n/catalogue.ts';
import { commonPasswords } from './common-passwords.ts';

export const minimumPasswordLength = 8;

export interface PolicyProblem {
  key: MessageKey;
  values?: Record<string, string | number>;
}

/** Digits or letters in a row on the keyboard or the alphabet (123…, 987…, abc…, qwe…). */
function isSequence(text: string): boolean {
  const rows = [
    '0123456789',
    '9876543210',
    'abcdefghijklmnopqrstuvwxyz',
    'qwertyuiop',
    'asdfghjkl',
    'zxcvbnm',
  ];
  return rows.some((row) => row.includes(text) || (row + row).includes(text));
}

/**
 * Why a password is refused, or null: too short, the user's own name (either way round), one
 * character repeated, a run on the keyboard, or one of the passwords guessers try first.
 */
export function passwordProblem(name: string, password: string): PolicyProblem | null {
  if (Array.from(password).length < minimumPasswordLength)
    return { key: 'dash.password.tooShort', values: { min: minimumPasswordLength } };
  const lower = password.toLowerCase();
  const lowerName = name.trim().toLowerCase();
  if (lowerName && (lower === lowerName || lower === Array.from(lowerName).reverse().join('')))
    return { key: 'dash.password.isName' };
  if (new Set(lower).size <= 2 || isSequence(lower) || commonPasswords.has(lower))
    return { key: 'dash.password.common' };
  return null;
}
