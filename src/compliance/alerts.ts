import type { StationConfig } from '../config/schema.ts';
import type { Db } from '../ledger/database.ts';
import { localDateIn } from '../time/zone.ts';
import { openInterruptions } from './interruptions.ts';
import { retentionReview, retentionSettings } from './retention.ts';
import { listJobRuns } from './schedules.ts';
import { monthlyStatistics, monthOf } from './statistics.ts';
import { type StorageForecast, storageForecast } from './storage-forecast.ts';

// The compliance alerts ops review (art. 18, 20, 23, 24, 31). Computed from the ledger on each call,
// never stored, so an alert disappears the moment its cause is dealt with.

export type ComplianceAlertKind =
  | 'retention-due'
  | 'retention-expiring'
  | 'storage-forecast'
  | 'recorder-not-docked'
  | 'interruption-unexplained'
  | 'late-exports'
  | 'job-failing';

export type Severity = 'info' | 'warning' | 'critical';

export interface ComplianceAlert {
  kind: ComplianceAlertKind;
  severity: Severity;
  /** What it is about: a recording list, a device serial, a badge, an interruption, a job. */
  subject: string;
  detail: Record<string, unknown>;
  /** When the cause began, where known. */
  since: string | null;
}

export interface AlertInputs {
  db: Db;
  config: Pick<StationConfig, 'retention' | 'alerts' | 'station' | 'archive'>;
  now: Date;
  /** Free bytes on the archive disk (Archive.freeBytes()); passed in so tests control it. */
  freeBytes: number;
}

const hourMs = 3600_000;
/** Art. 23: footage is exported within 24 hours, so a recorder in use docks at least that often. */
const dockingDeadlineHours = 24;
const listedIds = 100;

function retentionAlerts({ db, config, now }: AlertInputs): ComplianceAlert[] {
  const review = retentionReview(db, retentionSettings(config), localDateIn(now, config.station.timezone));
  const alerts: ComplianceAlert[] = [];
  if (review.due.length > 0) {
    alerts.push({
      kind: 'retention-due',
      severity: 'info',
      subject: `${review.due.length} recordings`,
      detail: { count: review.due.length, ids: review.due.slice(0, listedIds).map((item) => item.id) },
      since: null,
    });
  }
  if (review.expiring.length > 0) {
    alerts.push({
      kind: 'retention-expiring',
      severity: 'info',
      subject: `${review.expiring.length} recordings`,
      detail: {
        count: review.expiring.length,
        windowDays: config.retention.expiringWindowDays,
        ids: review.expiring.slice(0, listedIds).map((item) => item.id),
        firstEnd: review.expiring[0].retentionEnd,
      },
      since: null,
    });
  }
  return alerts;
}

function storageAlerts(inputs: AlertInputs): { forecast: StorageForecast; alerts: ComplianceAlert[] } {
  const forecast = storageForecast(inputs.db, {
    freeBytes: inputs.freeBytes,
    reserveBytes: inputs.config.archive.minFreeBytes,
    rateDays: inputs.config.alerts.storageRateDays,
    now: inputs.now,
  });
  const warningDays = inputs.config.alerts.storageWarningDays;
  if (forecast.daysUntilFull === null || forecast.daysUntilFull >= warningDays)
    return { forecast, alerts: [] };
  return {
    forecast,
    alerts: [
      {
        kind: 'storage-forecast',
        severity: forecast.daysUntilFull < warningDays / 4 ? 'critical' : 'warning',
        subject: 'archive disk',
        detail: { ...forecast },
        since: null,
      },
    ],
  };
}

/** Recorders held by an officer now whose last dock (or hand-over, if never docked) is over 24 h ago. */
function undockedAlerts({ db, now }: AlertInputs): ComplianceAlert[] {
  const at = now.toISOString();
  const cutoff = new Date(now.getTime() - dockingDeadlineHours * hourMs).toISOString();
  const rows = db
    .prepare(
      `SELECT d.serial, o.badge, o.name, MAX(COALESCE(d.last_seen_at, a.valid_from), a.valid_from) AS since
       FROM device_assignments a JOIN devices d ON d.id = a.device_id JOIN officers o ON o.id = a.officer_id
       WHERE a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)
         AND MAX(COALESCE(d.last_seen_at, a.valid_from), a.valid_from) < ?
       ORDER BY since`,
    )
    .all(at, at, cutoff) as { serial: string; badge: string; name: string; since: string }[];
  return rows.map((row) => ({
    kind: 'recorder-not-docked',
    severity: 'warning',
    subject: row.serial,
    detail: {
      badge: row.badge,
      officerName: row.name,
      hours: Math.floor((now.getTime() - Date.parse(row.since)) / hourMs),
    },
    since: row.since,
  }));
}

/** Art. 18: unexplained gaps alert after the configured time; gaps in art. 20 activities at once, louder. */
function interruptionAlerts({ db, config, now }: AlertInputs): ComplianceAlert[] {
  const cutoff = now.getTime() - config.alerts.unexplainedInterruptionHours * hourMs;
  return openInterruptions(db)
    .filter((item) => item.explainedAt === null)
    .filter((item) => item.activityKinds.length > 0 || Date.parse(item.detectedAt) <= cutoff)
    .map((item) => ({
      kind: 'interruption-unexplained',
      severity: item.activityKinds.length > 0 ? 'critical' : 'warning',
      subject: `interruption #${item.id}`,
      detail: {
        id: item.id,
        badge: item.badge,
        deviceSerial: item.deviceSerial,
        gapStart: item.gapStart,
        gapEnd: item.gapEnd,
        gapSeconds: item.gapSeconds,
        activityKinds: item.activityKinds,
      },
      since: item.detectedAt,
    }));
}

/** Art. 23: late exports of the current month, one alert per officer. */
function lateExportAlerts({ db, config, now }: AlertInputs): ComplianceAlert[] {
  const month = monthOf(now, config.station.timezone);
  return monthlyStatistics(db, config.station.timezone, month)
    .officers.filter((officer) => officer.lateExports > 0)
    .map((officer) => ({
      kind: 'late-exports',
      severity: 'warning',
      subject: officer.badge ?? 'unassigned',
      detail: {
        month,
        badge: officer.badge,
        officerName: officer.officerName,
        lateExports: officer.lateExports,
      },
      since: null,
    }));
}

function jobAlerts({ db, config }: AlertInputs): ComplianceAlert[] {
  return listJobRuns(db)
    .filter((run) => run.consecutiveFailures >= config.alerts.jobFailureAlertAfter)
    .map((run) => ({
      kind: 'job-failing',
      severity: 'critical',
      subject: run.job,
      detail: { failures: run.consecutiveFailures, lastError: run.lastError, nextRetryAt: run.nextRetryAt },
      since: run.lastSuccessAt,
    }));
}

export function complianceAlerts(inputs: AlertInputs): ComplianceAlert[] {
  return [
    ...jobAlerts(inputs),
    ...storageAlerts(inputs).alerts,
    ...interruptionAlerts(inputs),
    ...undockedAlerts(inputs),
    ...lateExportAlerts(inputs),
    ...retentionAlerts(inputs),
  ];
}
