import type { Station } from '../station.ts';
import { localDateIn } from '../time/zone.ts';
import { handledStationAlerts } from './alert-actions.ts';
import { type DeletionContext, purgeDeletions } from './deletion.ts';
import { retentionReview, retentionSettings } from './retention.ts';
import type { Job } from './schedules.ts';

export function deletionContext(station: Pick<Station, 'db' | 'archive' | 'config'>): DeletionContext {
  return {
    db: station.db,
    archive: station.archive,
    retention: retentionSettings(station.config),
    graceDays: station.config.retention.graceDays,
  };
}

/** The station's scheduled compliance work. Each job reads the whole ledger, so one catch-up run suffices. */
export function complianceJobs(station: Station): Job[] {
  const zone = station.config.station.timezone;
  return [
    {
      // Nightly: the review list ops work through (art. 24). It only reports; it deletes nothing.
      name: 'retention-review',
      cron: '0 2 * * *',
      async run(now) {
        const review = retentionReview(station.db, retentionSettings(station.config), localDateIn(now, zone));
        const counts = { due: review.due.length, expiring: review.expiring.length, held: review.held.length };
        if (counts.due > 0) station.logger.warn(counts, 'recordings past their retention end await review');
        return counts;
      },
    },
    {
      // Removes only files whose deletion a leader approved and whose grace period is over.
      name: 'deletion-purge',
      cron: '15 * * * *',
      async run(now) {
        const report = await purgeDeletions(deletionContext(station), now);
        return { deleted: report.deleted.length, withdrawn: report.withdrawn.length };
      },
    },
    {
      name: 'compliance-alerts',
      cron: '5 * * * *',
      async run(now) {
        // An alert someone acknowledged is taken on: it is counted, not raised again.
        const alerts = await handledStationAlerts(station, now);
        const open = alerts.filter((alert) => alert.state === 'open');
        for (const alert of open.filter((item) => item.severity === 'critical')) {
          const { state: _state, acknowledged: _acknowledged, ...raised } = alert;
          station.logger.error({ alert: raised }, 'compliance alert');
        }
        const counts: Record<string, number> = { acknowledged: alerts.length - open.length };
        for (const alert of open) counts[alert.kind] = (counts[alert.kind] ?? 0) + 1;
        return counts;
      },
    },
  ];
}
