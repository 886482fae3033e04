import { codeWords, englishText, type Message } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { type AuditRow, genesisHash, rowHash } from './audit-log.ts';

export type ChainProblemKind = 'edited' | 'broken-link' | 'deleted' | 'reordered';

export interface ChainProblem {
  /** The entry the problem is about; for deletions, the first missing id. */
  entryId: number;
  problem: ChainProblemKind;
  /** In English, for scripts and the log; `message` says it in the reader's language. */
  detail: string;
  message: Message;
}

const said = (message: Message) => ({ message, detail: englishText(message) });

export interface ChainReport {
  checked: number;
  headId: number | null;
  headHash: string | null;
  problems: ChainProblem[];
}

/**
 * Walks the audit log in id order and names every entry whose content no longer matches its hash
 * (edited), whose predecessor is gone (deleted), that sits in another place than the one it was
 * chained in (reordered), or whose link does not match its predecessor for any other reason.
 * Deleting the newest entries leaves a valid chain: the daily digest held outside catches that.
 */
export function verifyAuditChain(db: Db): ChainReport {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];
  const idOfHash = new Map(rows.map((row) => [row.hash, row.id]));
  const rowOfId = new Map(rows.map((row) => [row.id, row]));
  const problems: ChainProblem[] = [];
  let previous: AuditRow | null = null;
  for (const row of rows) {
    problems.push(...checkEntry(row, previous, idOfHash, rowOfId));
    previous = row;
  }
  return {
    checked: rows.length,
    headId: previous?.id ?? null,
    headHash: previous?.hash ?? null,
    problems: dedupe(problems),
  };
}

function checkEntry(
  row: AuditRow,
  previous: AuditRow | null,
  idOfHash: Map<string, number>,
  rowOfId: Map<number, AuditRow>,
): ChainProblem[] {
  const expectedId = (previous?.id ?? 0) + 1;
  const expectedLink = previous?.hash ?? genesisHash;
  const contentIntact = rowHash(row) === row.hash;
  if (row.id !== expectedId) {
    const range = row.id - 1 === expectedId ? `#${expectedId}` : `#${expectedId}–#${row.id - 1}`;
    const deleted: ChainProblem = {
      entryId: expectedId,
      problem: 'deleted',
      ...said(
        previous
          ? { key: 'verify.chain.missingBetween', values: { range, before: previous.id, after: row.id } }
          : { key: 'verify.chain.missingBefore', values: { range, after: row.id } },
      ),
    };
    return contentIntact ? [deleted] : [deleted, edited(row)];
  }
  if (row.previous_hash === expectedLink) return contentIntact ? [] : [edited(row)];

  const linkedId = idOfHash.get(row.previous_hash);
  // Chained after the entry that was written just before it, which has since been moved: this one
  // is in its place; the moved one is reported on its own.
  const linked = linkedId === undefined ? undefined : rowOfId.get(linkedId);
  if (contentIntact && linked && rowHash(linked, row.id - 1) === linked.hash) return [];
  if (linkedId !== undefined && linkedId !== previous?.id) {
    const originalId = originalIdOf(row, linkedId);
    return [
      {
        entryId: row.id,
        problem: 'reordered',
        ...said(
          originalId !== null
            ? {
                key: 'verify.chain.moved',
                values: { original: originalId, stored: storedAfter(previous), linked: linkedId },
              }
            : { key: 'verify.chain.misplaced', values: { stored: storedAfter(previous), linked: linkedId } },
        ),
      },
    ];
  }
  if (!contentIntact) return [edited(row)];
  // This entry is intact and still names its predecessor's original hash: the predecessor was
  // rewritten together with its hash.
  if (previous) {
    return [
      {
        entryId: previous.id,
        problem: 'edited',
        ...said({ key: 'verify.chain.rewritten', values: { next: row.id } }),
      },
    ];
  }
  return [{ entryId: row.id, problem: 'broken-link', ...said({ key: 'verify.chain.badStart' }) }];
}

const storedAfter = (previous: AuditRow | null): Message =>
  previous ? { key: 'verify.chain.entry', values: { id: previous.id } } : { key: 'verify.chain.start' };

// The id is part of the hash, so a moved entry's hash tells which id it was written with; moves
// are searched near where the entry sits now and next to the entry it is chained after.
function originalIdOf(row: AuditRow, linkedId: number): number | null {
  const candidates = [linkedId + 1];
  for (let distance = 1; distance <= 64; distance++) candidates.push(row.id - distance, row.id + distance);
  return candidates.find((id) => id >= 1 && rowHash(row, id) === row.hash) ?? null;
}

function edited(row: AuditRow): ChainProblem {
  return {
    entryId: row.id,
    problem: 'edited',
    ...said({
      key: 'verify.chain.edited',
      values: { id: row.id, action: codeWords('dash.audit.action.', row.action) },
    }),
  };
}

function dedupe(problems: ChainProblem[]): ChainProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.problem}:${problem.entryId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
