import type { LoadedConfig } from '../config/config.ts';
import type { Db } from '../ledger/database.ts';
import { type DistrictAnchor, DistrictLedger } from './district-ledger.ts';
import { districtSettings } from './district-settings.ts';

export interface AnchorProblem {
  /** The anchored head entry the local chain no longer matches. */
  entryId: number;
  problem: 'rewritten' | 'deleted';
  detail: string;
}

export interface AnchorReport {
  checked: number;
  problems: AnchorProblem[];
}

/**
 * Reads every anchor the district holds for this station: the chain heads it sent out. Null when the
 * station is not in a district. Self-contained so `station verify` needs only this call.
 */
export async function readDistrictAnchors(config: LoadedConfig): Promise<DistrictAnchor[] | null> {
  const settings = districtSettings(config);
  if (!settings) return null;
  const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
  try {
    return await ledger.anchorsOf(settings.stationId);
  } finally {
    await ledger.close();
  }
}

/** Each anchor names an entry and its hash: that entry must still be in the local chain, unchanged. */
export function compareWithAnchors(db: Db, anchors: DistrictAnchor[]): AnchorReport {
  const hashOf = db.prepare('SELECT hash FROM audit_log WHERE id = ?').pluck();
  const countUpTo = db.prepare('SELECT COUNT(*) FROM audit_log WHERE id <= ?').pluck();
  const problems: AnchorProblem[] = [];
  for (const anchor of anchors) {
    const local = hashOf.get(anchor.headId) as string | undefined;
    const count = countUpTo.get(anchor.headId) as number;
    if (local === undefined) {
      problems.push({
        entryId: anchor.headId,
        problem: 'deleted',
        detail: `entry #${anchor.headId}, anchored ${anchor.anchoredAt}, is gone from the local chain`,
      });
    } else if (local !== anchor.headHash) {
      problems.push({
        entryId: anchor.headId,
        problem: 'rewritten',
        detail: `entry #${anchor.headId} hash ${local.slice(0, 12)}… differs from the anchor of ${anchor.anchoredAt} (${anchor.headHash.slice(0, 12)}…): the chain was rewritten`,
      });
    } else if (count < anchor.entryCount) {
      problems.push({
        entryId: anchor.headId,
        problem: 'deleted',
        detail: `${anchor.entryCount - count} entries up to #${anchor.headId} are gone since the anchor of ${anchor.anchoredAt}`,
      });
    }
  }
  return { checked: anchors.length, problems };
}
