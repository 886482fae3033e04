import { statfs } from 'node:fs/promises';
import type { Role } from '../auth/roles.ts';
import type { StationConfig } from '../config/schema.ts';
import { openFixityFailures } from '../custody/fixity-job.ts';
import type { Db } from '../ledger/database.ts';
import {
  badPlaybackStatuses,
  type PlaybackStatusShown,
  playbackStatusSql,
} from '../ledger/playback-status.ts';
import type { Station } from '../station.ts';
import { localDateIn } from '../time/zone.ts';
import { listInterruptions } from './interruptions.ts';
import { retentionReview, retentionSettings } from './retention.ts';
import { listJobRuns } from './schedules.ts';
import { silentResumptionsInActivities } from './spoken-reason.ts';
import { monthlyStatistics, monthOf } from './statistics.ts';
import { storageForecast } from './storage-forecast.ts';

// The one place the station decides what needs a person (art. 18, 20, 23, 24, 31): the 提醒 page,
// /api/alerts and the hourly alert job all read it. Computed from the ledger on each call, never
// stored, so an alert disappears the moment its cause is dealt with.

export const alertKinds = [
  'low-disk',
  'storage-forecast',
  'fixity',
  'job-failing',
  'unplayable',
  'late',
  'late-exports',
  'interruption',
  'spoken-reason-absent',
  'not-docked',
  'device-storage',
  'device-fault',
  'retention-due',
  'retention-expiring',
] as const;
export type AlertKind = (typeof alertKinds)[number];

export const severities = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Something that needs a person: what, about which record or device, whose job it is, and where to act. */
export interface Alert {
  kind: AlertKind;
  severity: Severity;
  /** What it is about, as a code: `#12` (a recording or interruption), a serial, a badge, a job. */
  subject: string;
  /** The facts behind it; alert-messages.ts words them for people. */
  detail: Record<string, unknown>;
  actBy: Role[];
  /** When the cause began, where known. */
  since: string | null;
  link: string | null;
}

export interface AlertInputs {
  db: Db;
  config: Pick<StationConfig, 'retention' | 'alerts' | 'station' | 'archive' | 'dock'>;
  now: Date;
  /** Free bytes on the archive disk; passed in so tests control it. */
  freeBytes: number;
  /** Size of the archive disk, where known: a share under `lowDiskPercent` free is raised. */
  totalBytes?: number;
  /** Archive folder, named in the low-disk alert. */
  archiveRoot?: string;
}

const hourMs = 3600_000;
/** Art. 23: footage is exported within 24 hours, so a recorder in use docks at least that often. */
const dockingDeadlineHours = 24;
// Below this share of free space the archive disk is raised before ingest starts refusing copies.
const lowDiskPercent = 10;
const listed = 100;

function diskAlerts({ config, freeBytes, totalBytes, archiveRoot }: AlertInputs): Alert[] {
  const percentFree = totalBytes ? (freeBytes / totalBytes) * 100 : 100;
  const reserve = config.archive.minFreeBytes;
  if (percentFree >= lowDiskPercent && freeBytes >= 2 * reserve) return [];
  return [
    {
      kind: 'low-disk',
      severity: freeBytes < reserve ? 'critical' : 'warning',
      subject: archiveRoot ?? 'archive',
      detail: { freeBytes, totalBytes: totalBytes ?? null, percentFree: Math.round(percentFree * 10) / 10 },
      actBy: ['ops'],
      since: null,
      link: '/integrity',
    },
  ];
}

function storageAlerts(inputs: AlertInputs): Alert[] {
  const forecast = storageForecast(inputs.db, {
    freeBytes: inputs.freeBytes,
    reserveBytes: inputs.config.archive.minFreeBytes,
    rateDays: inputs.config.alerts.storageRateDays,
    now: inputs.now,
  });
  const warningDays = inputs.config.alerts.storageWarningDays;
  if (forecast.daysUntilFull === null || forecast.daysUntilFull >= warningDays) return [];
  return [
    {
      kind: 'storage-forecast',
      severity: forecast.daysUntilFull < warningDays / 4 ? 'critical' : 'warning',
      subject: 'archive',
      detail: { ...forecast },
      actBy: ['ops'],
      since: null,
      link: null,
    },
  ];
}

// An archived file that no longer matches its hash is evidence damaged (art. 31 (6)): ops and leaders act.
function fixityAlerts({ db }: AlertInputs): Alert[] {
  return openFixityFailures(db).map((failure) => ({
    kind: 'fixity',
    severity: 'critical',
    subject: `#${failure.recordingId}`,
    detail: {
      recordingId: failure.recordingId,
      archivePath: failure.archivePath,
      problem: failure.problem,
      detail: failure.detail,
    },
    actBy: ['ops', 'leader'],
    since: failure.detectedAt,
    link: `/recordings/${failure.recordingId}`,
  }));
}

function jobAlerts({ db, config }: AlertInputs): Alert[] {
  return listJobRuns(db)
    .filter((run) => run.consecutiveFailures >= config.alerts.jobFailureAlertAfter)
    .map((run) => ({
      kind: 'job-failing',
      severity: 'critical',
      subject: run.job,
      detail: { failures: run.consecutiveFailures, lastError: run.lastError, nextRetryAt: run.nextRetryAt },
      actBy: ['ops', 'admin'],
      since: run.lastSuccessAt,
      link: null,
    }));
}

interface RecordingFacts {
  id: number;
  badge: string | null;
  officerName: string | null;
  date: string | null;
  status: PlaybackStatusShown;
  note: string | null;
  ingestedAt: string;
}

/** Recordings the clerk has not confirmed yet that do not play back (as people see it) or came late. */
function recordingAlerts({ db }: AlertInputs): Alert[] {
  const rows = (where: string) =>
    db
      .prepare(
        `SELECT id, badge, officer_name AS officerName, local_date AS date, ${playbackStatusSql} AS status,
           not_playing_note AS note, ingested_at AS ingestedAt
         FROM recordings r WHERE duplicate_of IS NULL AND confirmed_at IS NULL AND ${where}
         ORDER BY id DESC LIMIT ${listed}`,
      )
      .all() as RecordingFacts[];
  const facts = (row: RecordingFacts) => ({
    id: row.id,
    badge: row.badge,
    officerName: row.officerName,
    date: row.date,
    status: row.status,
    note: row.note,
  });
  const bad = badPlaybackStatuses.map((status) => `'${status}'`).join(', ');
  const unplayable = rows(`(${playbackStatusSql}) IN (${bad})`).map(
    (row): Alert => ({
      kind: 'unplayable',
      severity: 'warning',
      subject: `#${row.id}`,
      detail: facts(row),
      actBy: ['clerk', 'ops'],
      since: row.ingestedAt,
      link: `/recordings/${row.id}`,
    }),
  );
  const late = rows('late = 1').map(
    (row): Alert => ({
      kind: 'late',
      severity: 'info',
      subject: `#${row.id}`,
      detail: facts(row),
      actBy: ['clerk', 'leader'],
      since: row.ingestedAt,
      link: `/recordings/${row.id}`,
    }),
  );
  return [...unplayable, ...late];
}

/** Art. 23: late exports of the current month, one alert per officer. */
function lateExportAlerts({ db, config, now }: AlertInputs): Alert[] {
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
      actBy: ['clerk', 'leader'],
      since: null,
      link: `/statistics?month=${month}`,
    }));
}

/**
 * Art. 18: every gap still waiting for the officer's explanation is listed, so the officer can act
 * at once; it turns a warning after the configured time, and is critical at once in an art. 20
 * activity (a seizure, a search), which must be recorded without a break.
 */
function interruptionAlerts({ db, config, now }: AlertInputs): Alert[] {
  const overdue = now.getTime() - config.alerts.unexplainedInterruptionHours * hourMs;
  // Never explained, or sent back by the clerk: the officer's turn.
  return listInterruptions(db, { states: ['open'] }).map((item) => {
    const activity = item.activityKinds.length > 0;
    return {
      kind: 'interruption',
      severity: activity ? 'critical' : Date.parse(item.detectedAt) <= overdue ? 'warning' : 'info',
      subject: `#${item.id}`,
      detail: {
        id: item.id,
        badge: item.badge,
        officerName: item.officerName,
        deviceSerial: item.deviceSerial,
        gapStart: item.gapStart,
        gapEnd: item.gapEnd,
        gapSeconds: item.gapSeconds,
        activityKinds: item.activityKinds,
      },
      actBy: activity ? ['officer', 'clerk', 'leader'] : ['officer', 'leader'],
      since: item.detectedAt,
      link: `/interruptions#interruption-${item.id}`,
    };
  });
}

/**
 * Art. 18, 20: a resumed segment of an art. 20 activity that starts without anyone speaking: the
 * officer did not state the reason aloud. Raised at once, as soon as the segment was listened to.
 */
function spokenReasonAlerts({ db }: AlertInputs): Alert[] {
  return silentResumptionsInActivities(db).map((item) => ({
    kind: 'spoken-reason-absent',
    severity: 'critical',
    subject: `#${item.id}`,
    detail: { ...item },
    actBy: ['officer', 'clerk', 'leader'],
    since: item.analysedAt,
    link: `/interruptions#interruption-${item.id}`,
  }));
}

/**
 * Recorders not docked within the deadline: one held by an officer counts from its last dock (or the
 * hand-over, if never docked since); one that was never handed out counts from its last dock. A
 * pooled recorder whose hand-over ended is nobody's to dock and is not raised.
 */
function undockedAlerts({ db, now }: AlertInputs): Alert[] {
  const at = now.toISOString();
  const cutoff = new Date(now.getTime() - dockingDeadlineHours * hourMs).toISOString();
  const rows = db
    .prepare(
      `SELECT serial, badge, name, since FROM (
         SELECT d.serial, o.badge, o.name, MAX(COALESCE(d.last_seen_at, a.valid_from), a.valid_from) AS since
         FROM device_assignments a JOIN devices d ON d.id = a.device_id JOIN officers o ON o.id = a.officer_id
         WHERE a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)
         UNION ALL
         SELECT d.serial, NULL, NULL, COALESCE(d.last_seen_at, d.first_seen_at) FROM devices d
         WHERE NOT EXISTS (SELECT 1 FROM device_assignments a WHERE a.device_id = d.id)
       ) WHERE since <> '' AND since < ? ORDER BY since LIMIT ${listed}`,
    )
    .all(at, at, cutoff) as { serial: string; badge: string | null; name: string | null; since: string }[];
  return rows.map((row) => ({
    kind: 'not-docked',
    severity: 'warning',
    subject: row.serial,
    detail: {
      badge: row.badge,
      officerName: row.name,
      hours: Math.floor((now.getTime() - Date.parse(row.since)) / hourMs),
    },
    actBy: ['officer', 'ops'],
    since: row.since,
    link: '/devices',
  }));
}

function deviceAlerts({ db, config }: AlertInputs): Alert[] {
  const lowStorage = db
    .prepare(
      `SELECT serial, free_bytes AS free, total_bytes AS total, last_seen_at AS seen FROM devices
       WHERE total_bytes > 0 AND free_bytes * 100.0 / total_bytes < ? LIMIT ${listed}`,
    )
    .all(config.dock.lowStoragePercent) as { serial: string; free: number; total: number; seen: string }[];
  const faults = db
    .prepare(
      `SELECT d.serial, f.description, f.reported_at AS at FROM device_faults f JOIN devices d ON d.id = f.device_id
       WHERE f.resolved_at IS NULL ORDER BY f.reported_at DESC LIMIT ${listed}`,
    )
    .all() as { serial: string; description: string; at: string }[];
  return [
    ...lowStorage.map(
      (row): Alert => ({
        kind: 'device-storage',
        severity: 'warning',
        subject: row.serial,
        detail: {
          freeBytes: row.free,
          totalBytes: row.total,
          percentFree: Math.round((row.free / row.total) * 1000) / 10,
        },
        actBy: ['ops'],
        since: row.seen,
        link: '/devices',
      }),
    ),
    ...faults.map(
      (row): Alert => ({
        kind: 'device-fault',
        severity: 'warning',
        subject: row.serial,
        detail: { description: row.description },
        actBy: ['ops'],
        since: row.at,
        link: '/devices',
      }),
    ),
  ];
}

function retentionAlerts({ db, config, now }: AlertInputs): Alert[] {
  const review = retentionReview(db, retentionSettings(config), localDateIn(now, config.station.timezone));
  const alerts: Alert[] = [];
  if (review.due.length > 0) {
    alerts.push({
      kind: 'retention-due',
      severity: 'info',
      subject: 'retention',
      detail: { count: review.due.length, ids: review.due.slice(0, listed).map((item) => item.id) },
      actBy: ['ops', 'leader'],
      since: null,
      link: '/retention',
    });
  }
  if (review.expiring.length > 0) {
    alerts.push({
      kind: 'retention-expiring',
      severity: 'info',
      subject: 'retention',
      detail: {
        count: review.expiring.length,
        windowDays: config.retention.expiringWindowDays,
        ids: review.expiring.slice(0, listed).map((item) => item.id),
        firstEnd: review.expiring[0].retentionEnd,
      },
      actBy: ['ops'],
      since: null,
      link: '/retention',
    });
  }
  return alerts;
}

/** Every alert in force, the most urgent kinds first. */
export function collectAlerts(inputs: AlertInputs): Alert[] {
  return [
    ...diskAlerts(inputs),
    ...storageAlerts(inputs),
    ...fixityAlerts(inputs),
    ...jobAlerts(inputs),
    ...interruptionAlerts(inputs),
    ...spokenReasonAlerts(inputs),
    ...recordingAlerts(inputs),
    ...lateExportAlerts(inputs),
    ...undockedAlerts(inputs),
    ...deviceAlerts(inputs),
    ...retentionAlerts(inputs),
  ];
}

/** The alerts of a running station, with its archive disk measured now. */
export async function stationAlerts(station: Station, now: Date): Promise<Alert[]> {
  const disk = await statfs(station.archive.root);
  return collectAlerts({
    db: station.db,
    config: station.config,
    now,
    freeBytes: disk.bavail * disk.bsize,
    totalBytes: disk.blocks * disk.bsize,
    archiveRoot: station.archive.root,
  });
}
