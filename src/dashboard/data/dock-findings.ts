import { interruptionStateSql } from '../../compliance/interruptions.ts';
import type { Db } from '../../ledger/database.ts';
import type { Dock } from '../../ledger/docks.ts';
import {
  badPlaybackStatuses,
  type PlaybackStatusShown,
  playbackStatusSql,
} from '../../ledger/playback-status.ts';

// What a dock left for someone to do, or to know, as the dock card tells it: interruptions to
// explain, a recorder clock that was off (and the times corrected), a recorder nearly full or nearly
// flat, files that do not play back. Read from the ledger, so the card says the same after a reload.

export type DockFindingKind =
  | 'interruption'
  | 'interruptionExplained'
  | 'clockFast'
  | 'clockSlow'
  | 'lowStorage'
  | 'lowBattery'
  | 'unplayable'
  | 'checking';

export interface DockFinding {
  kind: DockFindingKind;
  /** Placeholders of `dash.docks.finding.<kind>`. */
  values: Record<string, number>;
  /** Where to act, and what the link says. */
  link: { href: string; label: 'explain' | 'check' | 'view' } | null;
  /** About recordings: not for a reader who may not see the dock's files. */
  aboutFiles: boolean;
}

/**
 * Each file this dock archived with the playback status people are shown (the clerk's word first).
 * Files already archived by an earlier dock were reported by that dock's card.
 */
export function dockFileResults(db: Db, dockId: number): Map<number, PlaybackStatusShown> {
  const rows = db
    .prepare(
      `SELECT r.id, ${playbackStatusSql} AS status FROM dock_files f JOIN recordings r ON r.id = f.recording_id
       WHERE f.dock_id = ? AND f.state IN ('done', 'duplicate')`,
    )
    .all(dockId) as { id: number; status: PlaybackStatusShown }[];
  return new Map(rows.map((row) => [row.id, row.status]));
}

export function dockFindings(
  db: Db,
  dock: Dock,
  results: Map<number, PlaybackStatusShown>,
  thresholds: { lowStoragePercent: number; lowBatteryPercent: number },
): DockFinding[] {
  const { lowStoragePercent, lowBatteryPercent } = thresholds;
  const findings: DockFinding[] = [];
  const interruptions = db
    .prepare(
      `SELECT ${interruptionStateSql} AS state, COUNT(*) AS count, MIN(i.id) AS first FROM interruptions i
       WHERE i.dock_id = ? GROUP BY 1`,
    )
    .all(dock.id) as { state: string; count: number; first: number }[];
  const open = interruptions.find((row) => row.state === 'open');
  if (open)
    findings.push({
      kind: 'interruption',
      values: { count: open.count },
      link: { href: `/interruptions?dock=${dock.id}#interruption-${open.first}`, label: 'explain' },
      aboutFiles: true,
    });
  const explained = interruptions.find((row) => row.state === 'explained');
  if (explained)
    findings.push({
      kind: 'interruptionExplained',
      values: { count: explained.count },
      link: { href: `/interruptions?dock=${dock.id}&state=explained`, label: 'view' },
      aboutFiles: true,
    });
  // The recording times of this dock were corrected by the offset (recording-time.ts).
  if (dock.clockOffsetSeconds)
    findings.push({
      kind: dock.clockOffsetSeconds > 0 ? 'clockFast' : 'clockSlow',
      values: { seconds: dock.clockOffsetSeconds },
      link: null,
      aboutFiles: false,
    });
  if (dock.freeBytes !== null && dock.totalBytes) {
    const freePercent = (dock.freeBytes / dock.totalBytes) * 100;
    if (freePercent < lowStoragePercent)
      findings.push({
        kind: 'lowStorage',
        values: { percent: Math.round(freePercent * 10) / 10, free: dock.freeBytes },
        link: null,
        aboutFiles: false,
      });
  }
  if (dock.batteryPercent !== null && dock.batteryPercent < lowBatteryPercent)
    findings.push({
      kind: 'lowBattery',
      values: { percent: Math.round(dock.batteryPercent) },
      link: null,
      aboutFiles: false,
    });
  const bad = [...results].filter(([, status]) => badPlaybackStatuses.includes(status));
  if (bad.length)
    findings.push({
      kind: 'unplayable',
      values: { count: bad.length },
      link: {
        href: bad.length === 1 ? `/recordings/${bad[0][0]}` : `/ledger?dock=${dock.id}`,
        label: 'check',
      },
      aboutFiles: true,
    });
  const pending = [...results.values()].filter((status) => status === 'pending').length;
  if (pending && dock.state === 'checking-playback')
    findings.push({ kind: 'checking', values: { count: pending }, link: null, aboutFiles: true });
  return findings;
}
