import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Language, translator } from '../i18n/catalogue.ts';
import type { Db } from '../ledger/database.ts';
import { localDateIn, startOfNextLocalDay } from '../time/zone.ts';
import { folderAnchorSource, writeAnchors } from './audit-anchors.ts';

/**
 * The chain head at the end of one local day. Printed or exported daily and kept outside the
 * station (paper, another system), it proves later that no entry up to that head was removed
 * or rewritten, including the newest ones, which the chain alone cannot vouch for.
 */
export interface AuditDigest {
  date: string;
  headId: number | null;
  headHash: string | null;
  count: number;
}

export function auditDigest(db: Db, options: { date?: string; zone: string; now: Date }): AuditDigest {
  const date = options.date ?? localDateIn(options.now, options.zone);
  const before = startOfNextLocalDay(date, options.zone).toISOString();
  const head = db
    .prepare('SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1')
    .get(before) as { id: number; hash: string } | undefined;
  const count = head
    ? Number(db.prepare('SELECT COUNT(*) FROM audit_log WHERE id <= ?').pluck().get(head.id))
    : 0;
  return { date, headId: head?.id ?? null, headHash: head?.hash ?? null, count };
}

/** Whether the log still holds the head a digest recorded, with the same hash. */
export function matchesDigest(db: Db, digest: Pick<AuditDigest, 'headId' | 'headHash'>): boolean {
  if (digest.headId === null) return true;
  const hash = db.prepare('SELECT hash FROM audit_log WHERE id = ?').pluck().get(digest.headId);
  return hash === digest.headHash;
}

/** The digest to print or copy, in the reader's language; the values are the same in every language. */
export function formatDigest(digest: AuditDigest, t: ReturnType<typeof translator>): string {
  return [
    t('digest.title', { date: digest.date }),
    t('digest.headEntry', { id: digest.headId === null ? '-' : `#${digest.headId}` }),
    t('digest.headHash', { hash: digest.headHash ?? '-' }),
    t('digest.entries', { count: digest.count }),
  ].join('\n');
}

/**
 * The scheduled form: after midnight, writes the previous local day's digest to
 * `STATION_HOME/audit-digests/DATE.json` (and .txt) for ops to print or copy off the station, and
 * the current head to each `audit.anchorFolders` folder (removable media), which verify checks.
 */
export function auditDigestJob(
  deps: {
    db: Db;
    config: {
      home: string;
      station: { timezone: string; language?: Language };
      audit?: { anchorFolders: string[] };
    };
  },
  cron = '5 0 * * *',
) {
  return {
    name: 'audit-digest',
    cron,
    async run(now: Date): Promise<AuditDigest> {
      const zone = deps.config.station.timezone;
      const yesterday = localDateIn(new Date(now.getTime() - 86_400_000), zone);
      const digest = auditDigest(deps.db, { date: yesterday, zone, now });
      const folder = path.join(deps.config.home, 'audit-digests');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, `${digest.date}.json`), `${JSON.stringify(digest, null, 2)}\n`);
      const t = translator(deps.config.station.language ?? 'zh-CN');
      await writeFile(path.join(folder, `${digest.date}.txt`), `${formatDigest(digest, t)}\n`);
      // And the head now, to every folder outside the station that the config names.
      await writeAnchors(deps.db, (deps.config.audit?.anchorFolders ?? []).map(folderAnchorSource), now);
      return digest;
    },
  };
}
