import type { LoadedConfig } from '../config/config.ts';
import type { AnchorSource } from '../custody/audit-anchors.ts';
import { DistrictLedger } from './district-ledger.ts';
import { districtSettings } from './district-settings.ts';

/**
 * The chain heads this station sent to its district (audit_anchors in PostgreSQL; the same heads are
 * locked objects in the bucket), as one more anchor source for `station verify`. None without a district.
 */
export function districtAnchorSources(config: LoadedConfig): AnchorSource[] {
  const settings = districtSettings(config);
  if (!settings) return [];
  return [
    {
      name: `district ${settings.stationId}`,
      async read() {
        const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
        try {
          const anchors = await ledger.anchorsOf(settings.stationId);
          return anchors.map((anchor) => ({
            headId: anchor.headId,
            hash: anchor.headHash,
            entryCount: anchor.entryCount,
            at: anchor.anchoredAt,
          }));
        } finally {
          await ledger.close();
        }
      },
    },
  ];
}
