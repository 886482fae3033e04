import { closeUnfinishedDocks } from '../dock/dock-session.ts';
import type { Station } from '../station.ts';

/**
 * What the database says was left unfinished by a process that stopped: half-written copies are
 * removed (they never had a ledger row), open docks are closed as interrupted (the recorder, if still
 * there, is docked afresh and only what is missing is copied), playback checks are queued again, and
 * so are the spoken-reason checks of interruptions not yet listened to.
 * Runs before any service starts, so nothing new is mistaken for a leftover.
 */
export async function resumeUnfinishedWork(
  station: Pick<Station, 'archive' | 'db' | 'clock' | 'playback' | 'spokenReasons' | 'logger'>,
): Promise<{
  removedPartials: number;
  interruptedDocks: number;
  playbackChecks: number;
  spokenReasonChecks: number;
}> {
  // An archive that refuses writes (read-only, failing) must not keep the station from starting: the
  // leftovers stay in the journal and the next start sweeps them.
  const { removed } = await station.archive.sweep().catch((error: Error) => {
    station.logger.error({ err: error }, 'could not sweep the partial copies; the next start tries again');
    return { removed: [] as string[] };
  });
  const interruptedDocks = closeUnfinishedDocks(station.db, station.clock.now());
  const playbackChecks = station.playback.resume();
  const spokenReasonChecks = await station.spokenReasons.resume();
  const summary = { removedPartials: removed.length, interruptedDocks, playbackChecks, spokenReasonChecks };
  if (removed.length || interruptedDocks || playbackChecks || spokenReasonChecks)
    station.logger.info(summary, 'resumed work left by the previous run');
  return summary;
}
