import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Language, translator } from '../i18n/catalogue.ts';
import { formatDateTime } from '../i18n/format.ts';
import { englishText, type Message } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';

/**
 * The audit chain head kept outside the database: whoever can rewrite station.db can rebuild a
 * valid chain after deleting or editing entries, but not the copies of its head held elsewhere
 * (a file on removable media, a printed page, the district archive). Each place is an AnchorSource;
 * `station verify` asks every configured source for the heads it holds and checks each against the log.
 */
export interface AuditAnchor {
  headId: number;
  hash: string;
  /** Entries from the first up to and including the head. */
  entryCount: number;
  /** When the head was taken, ISO 8601. */
  at: string;
}

export interface AnchorSource {
  /** Shown in verify's report, e.g. `folder /media/usb/anchors`. */
  name: string;
  /** The anchors this source holds; a source that cannot be read throws. */
  read(): Promise<AuditAnchor[]>;
  /** Keeps one more anchor; a read-only source (a printout typed back in) has none. */
  write?(anchor: AuditAnchor): Promise<void>;
}

export type AnchorProblemKind = 'rewritten' | 'deleted' | 'unreadable';

export interface AnchorProblem {
  source: string;
  anchor: AuditAnchor | null;
  problem: AnchorProblemKind;
  /** For people, in their language; `detail` is its English for scripts and logs. */
  message: Message;
  detail: string;
}

export interface AnchorReport {
  sources: { name: string; anchors: number }[];
  checked: number;
  problems: AnchorProblem[];
}

/** The head of the log now, as an anchor. */
export function currentAnchor(db: Db, now: Date): AuditAnchor | null {
  const head = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
    | { id: number; hash: string }
    | undefined;
  if (!head) return null;
  const count = Number(db.prepare('SELECT COUNT(*) FROM audit_log WHERE id <= ?').pluck().get(head.id));
  return { headId: head.id, hash: head.hash, entryCount: count, at: now.toISOString() };
}

/** Whether the log still holds this head with the same hash and the same number of entries up to it. */
export function checkAnchor(
  db: Db,
  anchor: AuditAnchor,
  zone: string,
): { problem: AnchorProblemKind; message: Message; detail: string } | null {
  const found = (problem: AnchorProblemKind, message: Message) => ({
    problem,
    message,
    detail: englishText(message),
  });
  const head = { id: anchor.headId, at: formatDateTime(anchor.at, zone) };
  const hash = db.prepare('SELECT hash FROM audit_log WHERE id = ?').pluck().get(anchor.headId) as
    | string
    | undefined;
  if (hash === undefined) return found('deleted', { key: 'verify.anchor.deleted', values: head });
  if (hash !== anchor.hash)
    return found('rewritten', { key: 'verify.anchor.rewritten', values: { ...head, hash: anchor.hash } });
  const count = Number(db.prepare('SELECT COUNT(*) FROM audit_log WHERE id <= ?').pluck().get(anchor.headId));
  if (count !== anchor.entryCount)
    return found('deleted', {
      key: 'verify.anchor.shortened',
      values: { ...head, missing: anchor.entryCount - count, count: anchor.entryCount },
    });
  return null;
}

export async function checkAnchors(db: Db, sources: AnchorSource[], zone: string): Promise<AnchorReport> {
  const report: AnchorReport = { sources: [], checked: 0, problems: [] };
  for (const source of sources) {
    let anchors: AuditAnchor[];
    try {
      anchors = await source.read();
    } catch (error) {
      report.sources.push({ name: source.name, anchors: 0 });
      const message: Message = {
        key: 'verify.anchor.unreadable',
        values: { error: (error as Error).message },
      };
      report.problems.push({
        source: source.name,
        anchor: null,
        problem: 'unreadable',
        message,
        detail: englishText(message),
      });
      continue;
    }
    report.sources.push({ name: source.name, anchors: anchors.length });
    for (const anchor of anchors) {
      report.checked++;
      const found = checkAnchor(db, anchor, zone);
      if (found) report.problems.push({ source: source.name, anchor, ...found });
    }
  }
  return report;
}

const anchorPrefix = 'audit-anchor-';

/**
 * Anchors as files in a folder, one JSON file (and a printable .txt twin) per anchor. The station's
 * own daily digests (`audit-digests/DATE.json`, written by the digest job) are read as anchors too.
 */
export function folderAnchorSource(folder: string, language: Language): AnchorSource {
  return {
    name: `folder ${folder}`,
    async read() {
      const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
      const anchors: AuditAnchor[] = [];
      for (const name of names) {
        const anchor = parseAnchor(JSON.parse(await readFile(path.join(folder, name), 'utf8')));
        if (anchor) anchors.push(anchor);
      }
      return anchors;
    },
    async write(anchor) {
      await mkdir(folder, { recursive: true });
      const stamp = anchor.at.replace(/[-:]|\.\d+/g, '');
      const base = path.join(folder, `${anchorPrefix}${stamp}-${anchor.headId}`);
      await writeFile(`${base}.json`, `${JSON.stringify(anchor, null, 2)}\n`);
      await writeFile(`${base}.txt`, `${formatAnchor(anchor, translator(language))}\n`);
    },
  };
}

/** An anchor written by this module, or a daily digest ({date, headId, headHash, count}). */
function parseAnchor(value: Record<string, unknown>): AuditAnchor | null {
  if (Number.isInteger(value.headId) && typeof value.hash === 'string' && Number.isInteger(value.entryCount))
    return {
      headId: value.headId as number,
      hash: value.hash,
      entryCount: value.entryCount as number,
      at: String(value.at),
    };
  if (Number.isInteger(value.headId) && typeof value.headHash === 'string' && Number.isInteger(value.count))
    return {
      headId: value.headId as number,
      hash: value.headHash,
      entryCount: value.count as number,
      at: String(value.date),
    };
  return null;
}

/** The anchor for people to read and print, in `t`'s language. */
export function formatAnchor(anchor: AuditAnchor, t: ReturnType<typeof translator>): string {
  return [
    t('audit.anchor.title', { at: anchor.at }),
    t('audit.headEntry', { id: `#${anchor.headId}` }),
    t('audit.headHash', { hash: anchor.hash }),
    t('audit.entries', { count: anchor.entryCount }),
  ].join('\n');
}

/** The sources a station has: its own digests, and every configured folder outside the database. */
export function configuredAnchorSources(config: {
  home: string;
  station: { language: Language };
  audit: { anchorFolders: string[] };
}): AnchorSource[] {
  const { language } = config.station;
  return [
    digestFolderSource(path.join(config.home, 'audit-digests'), language),
    ...config.audit.anchorFolders.map((folder) => folderAnchorSource(folder, language)),
  ];
}

// The digest folder exists only once the nightly job ran; a station without one has nothing to check.
function digestFolderSource(folder: string, language: Language): AnchorSource {
  const source = folderAnchorSource(folder, language);
  return {
    name: source.name,
    read: () =>
      source.read().catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      }),
  };
}

/** Writes the current head to every configured source that takes writes (the nightly job, `station audit anchor`). */
export async function writeAnchors(db: Db, sources: AnchorSource[], now: Date): Promise<AuditAnchor | null> {
  const anchor = currentAnchor(db, now);
  if (!anchor) return null;
  for (const source of sources) await source.write?.(anchor);
  return anchor;
}
