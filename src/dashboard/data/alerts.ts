import { statfs } from 'node:fs/promises';
import type { Role } from '../../auth/roles.ts';
import { openFixityFailures } from '../../custody/fixity-job.ts';
import { statement } from '../../ledger/database.ts';
import type { Station } from '../../station.ts';
import { formatDateTime } from '../format.ts';
import { complianceAlertKinds, complianceAlertsOf } from './compliance-alerts.ts';

export const alertKinds = [
  'low-disk',
  'unplayable',
  'late',
  'interruption',
  'not-docked',
  'device-storage',
  'device-fault',
  'fixity',
  ...complianceAlertKinds,
] as const;
export type AlertKind = (typeof alertKinds)[number];

/** Something that needs a person: what, about which record or device, and whose job it is. */
export interface Alert {
  kind: AlertKind;
  subject: string;
  detail: string;
  actBy: Role[];
  at: string | null;
  link: string | null;
}

const perKind = 100;
const dayMs = 24 * 3600_000;
// Below this share of free space the archive disk is raised before ingest starts refusing copies.
const lowDiskPercent = 10;

async function diskAlerts(station: Station): Promise<Alert[]> {
  const stats = await statfs(station.archive.root);
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  const percentFree = total > 0 ? (free / total) * 100 : 100;
  if (percentFree >= lowDiskPercent && free >= 2 * station.config.archive.minFreeBytes) return [];
  return [
    {
      kind: 'low-disk',
      subject: station.archive.root,
      detail: `${Math.round(free / 1024 / 1024)} MiB (${percentFree.toFixed(1)}%)`,
      actBy: ['ops'],
      at: null,
      link: null,
    },
  ];
}

function recordingAlerts(station: Station): Alert[] {
  const rows = (where: string) =>
    station.db
      .prepare(
        `SELECT id, badge, officer_name AS officerName, local_date AS date, playback, not_playing_note AS note,
           ingested_at AS ingestedAt FROM recordings WHERE duplicate_of IS NULL AND confirmed_at IS NULL AND ${where}
         ORDER BY id DESC LIMIT ${perKind}`,
      )
      .all() as {
      id: number;
      badge: string | null;
      officerName: string | null;
      date: string | null;
      playback: string;
      note: string | null;
      ingestedAt: string;
    }[];
  const subject = (row: {
    id: number;
    badge: string | null;
    officerName: string | null;
    date: string | null;
  }) =>
    `#${row.id} ${row.officerName ?? ''} ${row.badge ?? ''} ${row.date ?? ''}`.replace(/\s+/g, ' ').trim();
  const unplayable = rows("(playback IN ('damaged', 'unplayable') OR not_playing_at IS NOT NULL)").map(
    (row): Alert => ({
      kind: 'unplayable',
      subject: subject(row),
      detail: row.note ?? row.playback,
      actBy: ['clerk', 'ops'],
      at: row.ingestedAt,
      link: `/recordings/${row.id}`,
    }),
  );
  const late = rows('late = 1').map(
    (row): Alert => ({
      kind: 'late',
      subject: subject(row),
      detail: '',
      actBy: ['clerk', 'leader'],
      at: row.ingestedAt,
      link: `/recordings/${row.id}`,
    }),
  );
  return [...unplayable, ...late];
}

function deviceAlerts(station: Station, now: Date): Alert[] {
  const cutoff = new Date(now.getTime() - dayMs).toISOString();
  const stale = station.db
    .prepare(
      `SELECT serial, COALESCE(last_seen_at, first_seen_at) AS seen FROM devices
       WHERE COALESCE(last_seen_at, first_seen_at) < ? ORDER BY seen LIMIT ${perKind}`,
    )
    .all(cutoff) as { serial: string; seen: string }[];
  const lowStorage = station.db
    .prepare(
      `SELECT serial, free_bytes AS free, total_bytes AS total, last_seen_at AS seen FROM devices
       WHERE total_bytes > 0 AND free_bytes * 100.0 / total_bytes < ? LIMIT ${perKind}`,
    )
    .all(station.config.dock.lowStoragePercent) as {
    serial: string;
    free: number;
    total: number;
    seen: string;
  }[];
  const faults = station.db
    .prepare(
      `SELECT d.serial, f.description, f.reported_at AS at FROM device_faults f JOIN devices d ON d.id = f.device_id
       WHERE f.resolved_at IS NULL ORDER BY f.reported_at DESC LIMIT ${perKind}`,
    )
    .all() as { serial: string; description: string; at: string }[];
  return [
    ...stale.map(
      (row): Alert => ({
        kind: 'not-docked',
        subject: row.serial,
        detail: '',
        actBy: ['officer', 'ops'],
        at: row.seen,
        link: '/devices',
      }),
    ),
    ...lowStorage.map(
      (row): Alert => ({
        kind: 'device-storage',
        subject: row.serial,
        detail: `${((row.free / row.total) * 100).toFixed(1)}%`,
        actBy: ['ops'],
        at: row.seen,
        link: '/devices',
      }),
    ),
    ...faults.map(
      (row): Alert => ({
        kind: 'device-fault',
        subject: row.serial,
        detail: row.description,
        actBy: ['ops'],
        at: row.at,
        link: '/devices',
      }),
    ),
  ];
}

/** Interruptions (art. 18) still waiting for the officer's explanation, as the station's wall clock shows them. */
function interruptionAlerts(station: Station): Alert[] {
  const zone = station.config.station.timezone;
  const rows = statement(
    station.db,
    `SELECT i.id, i.gap_start, i.gap_end, i.badge, i.detected_at, d.serial
     FROM interruptions i LEFT JOIN devices d ON d.id = i.device_id
     WHERE i.explained_at IS NULL ORDER BY i.id DESC LIMIT ${perKind}`,
  ).all() as {
    id: number;
    gap_start: string;
    gap_end: string;
    badge: string | null;
    detected_at: string;
    serial: string | null;
  }[];
  return rows.map((row) => ({
    kind: 'interruption',
    subject: `${row.serial ?? ''} ${row.badge ?? ''}`.trim(),
    detail: `${formatDateTime(row.gap_start, zone)} – ${formatDateTime(row.gap_end, zone)}`,
    actBy: ['officer', 'leader'],
    at: row.detected_at,
    link: '/interruptions',
  }));
}

// An archived file that no longer matches its hash is evidence damaged (art. 31 (6)): ops and leaders act.
function fixityAlerts(station: Station): Alert[] {
  return openFixityFailures(station.db).map((failure) => ({
    kind: 'fixity',
    subject: `#${failure.recordingId} ${failure.archivePath}`,
    detail: failure.detail ? `${failure.problem}: ${failure.detail}` : failure.problem,
    actBy: ['ops', 'leader'],
    at: failure.detectedAt,
    link: `/recordings/${failure.recordingId}`,
  }));
}

export async function collectAlerts(station: Station, now: Date): Promise<Alert[]> {
  return [
    ...(await diskAlerts(station)),
    ...recordingAlerts(station),
    ...interruptionAlerts(station),
    ...deviceAlerts(station, now),
    ...fixityAlerts(station),
    ...(await complianceAlertsOf(station, now)),
  ];
}
