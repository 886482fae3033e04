import { type ComplianceAlert, complianceAlerts } from '../../compliance/alerts.ts';
import type { Station } from '../../station.ts';
import { formatBytes, formatDateTime } from '../format.ts';
import type { Alert } from './alerts.ts';

// The compliance engine's alerts (retention, storage forecast, late exports per officer, failing
// jobs, gaps in art. 20 activities) in the dashboard's shape. Stale recorders and unexplained gaps
// in general are already raised by the dashboard's own checks, so only the louder art. 20 gaps and
// the kinds the dashboard lacks are taken, and nothing shows twice.

export const complianceAlertKinds = [
  'retention-due',
  'retention-expiring',
  'storage-forecast',
  'late-exports',
  'job-failing',
  'interruption-activity',
] as const;

const ids = (detail: Record<string, unknown>) =>
  ((detail.ids as number[] | undefined) ?? []).map((id) => `#${id}`).join(' ');

function toAlert(alert: ComplianceAlert, zone: string): Alert | null {
  const { detail } = alert;
  switch (alert.kind) {
    case 'retention-due':
      return {
        kind: 'retention-due',
        subject: String(detail.count),
        detail: ids(detail),
        actBy: ['ops', 'leader'],
        at: null,
        link: '/retention',
      };
    case 'retention-expiring':
      return {
        kind: 'retention-expiring',
        subject: String(detail.count),
        detail: `≤ ${detail.firstEnd} · ${ids(detail)}`,
        actBy: ['ops'],
        at: null,
        link: '/retention',
      };
    case 'storage-forecast':
      return {
        kind: 'storage-forecast',
        subject: `${detail.daysUntilFull} d`,
        detail: `${formatBytes(detail.usableBytes as number)} · ${formatBytes(detail.bytesPerDay as number)}/d`,
        actBy: ['ops'],
        at: null,
        link: null,
      };
    case 'late-exports':
      return {
        kind: 'late-exports',
        subject: `${detail.officerName ?? ''} ${detail.badge ?? ''}`.trim(),
        detail: `${detail.month}: ${detail.lateExports}`,
        actBy: ['clerk', 'leader'],
        at: null,
        link: `/statistics?month=${detail.month}`,
      };
    case 'job-failing':
      return {
        kind: 'job-failing',
        subject: alert.subject,
        detail: `${detail.failures} × ${detail.lastError ?? ''}`,
        actBy: ['ops', 'admin'],
        at: alert.since,
        link: null,
      };
    case 'interruption-unexplained':
      if (alert.severity !== 'critical') return null;
      return {
        kind: 'interruption-activity',
        subject: `#${detail.id} ${detail.deviceSerial ?? ''} ${detail.badge ?? ''}`.trim(),
        detail: `${formatDateTime(detail.gapStart as string, zone)} – ${formatDateTime(detail.gapEnd as string, zone)}`,
        actBy: ['officer', 'clerk', 'leader'],
        at: alert.since,
        link: '/interruptions',
      };
    default:
      return null;
  }
}

export async function complianceAlertsOf(station: Station, now: Date): Promise<Alert[]> {
  const alerts = complianceAlerts({
    db: station.db,
    config: station.config,
    now,
    freeBytes: await station.archive.freeBytes(),
  });
  const zone = station.config.station.timezone;
  return alerts.map((alert) => toAlert(alert, zone)).filter((alert): alert is Alert => alert !== null);
}
