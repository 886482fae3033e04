import { addMonths } from '../compliance/calendar.ts';
import { type RetentionSettings, retentionOf } from '../compliance/retention.ts';
import type { Db } from '../ledger/database.ts';
import { startOfNextLocalDay } from '../time/zone.ts';

export interface WantedLock {
  /** COMPLIANCE retention until the end of the recording's last retention day (art. 24). */
  retainUntil: Date;
  /** Kept indefinitely (a hold, or an open case): the store keeps it under legal hold. */
  legalHold: boolean;
}

/**
 * The lock the district copy should carry now. A recording kept indefinitely still gets the six-month
 * floor as its retention date, so lifting an open case's legal hold never leaves it unlocked.
 */
export function wantedLock(db: Db, settings: RetentionSettings, recordingId: number): WantedLock {
  const status = retentionOf(db, settings, recordingId);
  if (!status) throw new Error(`recording #${recordingId} is not an archived original`);
  const lastDay = status.retentionEnd ?? addMonths(status.recordedOn, settings.months);
  return {
    retainUntil: startOfNextLocalDay(lastDay, settings.zone),
    legalHold: status.retentionEnd === null,
  };
}
