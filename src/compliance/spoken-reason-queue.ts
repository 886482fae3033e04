import { sweepPartialClips } from '../archive/derived-clips.ts';
import type { StationConfig } from '../config/config.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { PlaybackQueue } from '../ingest/playback-queue.ts';
import type { Db } from '../ledger/database.ts';
import type { Logger } from '../log/logger.ts';
import type { OpeningAudio } from '../media/audio-window.ts';
import type { Clock } from '../time/clock.ts';
import { analyseSpokenReasons, type HeardSound, interruptionsAwaitingSpokenReason } from './spoken-reason.ts';

/** Interruptions one task listens to at most, and the audio they hold (4 min: 7.7 MB of samples). */
const maxBatch = 8;
const batchAudioSeconds = 240;

/**
 * Schedules the spoken-reason check of each interruption in the playback queue's pool, once both are
 * true: the gap is known (the dock daemon finds gaps when a dock finishes) and the resumed segment's
 * playback check is done (it runs while the dock is still copying). Whichever comes second triggers
 * it. The playback check hands over the sound it decoded (`openingAudio`), claimed here when the
 * check is queued; what it did not (a restart between the two) is decoded again. Progress is the
 * `spoken_reasons` row, so `resume()` at start picks up whatever was left.
 */
export class SpokenReasonQueue {
  private readonly queued = new Set<number>();
  /**
   * Resumed segments whose sound a queued task will take from `openingAudio` when it runs: read into
   * memory then, not when queued, since a shift's docks finishing at once queue minutes of it.
   */
  private readonly claimed = new Set<number>();

  constructor(
    private readonly deps: {
      db: Db;
      archiveRoot: string;
      config: StationConfig;
      clock: Clock;
      events: EventBus;
      logger: Logger;
      playback: PlaybackQueue;
      openingAudio: OpeningAudio;
    },
  ) {}

  /** Listens for finished checks and docks (the station does; the bench's baseline does not). */
  listen(): void {
    const { events, db, openingAudio } = this.deps;
    events.on('recording.checked', ({ recordingId }) => this.enqueueWaiting(recordingId));
    events.on('dock.done', ({ dockId }) => {
      this.enqueueWaiting();
      // The dock's segments that resume no interruption have nothing more to be heard for.
      const segments = db
        .prepare('SELECT id FROM recordings WHERE dock_id = ?')
        .pluck()
        .all(dockId) as number[];
      openingAudio.forget(segments.filter((id) => !this.claimed.has(id)));
    });
  }

  /** Sweeps half-written clips and queues every interruption not yet listened to. */
  async resume(): Promise<number> {
    await sweepPartialClips(this.deps.archiveRoot);
    return this.enqueueWaiting();
  }

  /**
   * Queues the waiting interruptions (of one resumed segment, or all); returns how many were new.
   * Those queued together are listened to in batches; what must be decoded again, in one ffmpeg run.
   */
  enqueueWaiting(afterRecordingId?: number): number {
    const fresh = interruptionsAwaitingSpokenReason(this.deps.db, afterRecordingId).filter(
      ({ interruptionId }) => !this.queued.has(interruptionId),
    );
    const perRun = Math.max(
      1,
      Math.min(maxBatch, Math.floor(batchAudioSeconds / this.deps.config.interruptions.spokenReasonSeconds)),
    );
    for (let first = 0; first < fresh.length; first += perRun) {
      const batch = fresh.slice(first, first + perRun);
      for (const { interruptionId, recordingId } of batch) {
        this.queued.add(interruptionId);
        this.claimed.add(recordingId);
      }
      void this.deps.playback
        .runInPool(() => this.analyse(batch))
        .finally(() => {
          for (const { interruptionId, recordingId } of batch) {
            this.queued.delete(interruptionId);
            this.claimed.delete(recordingId);
          }
          // What was not taken (a segment no longer in the archive) has nobody left to hear it.
          this.deps.openingAudio.forget(batch.map(({ recordingId }) => recordingId));
        });
    }
    return fresh.length;
  }

  private async analyse(batch: { interruptionId: number; recordingId: number }[]): Promise<void> {
    const { db, config, clock, logger, events, openingAudio } = this.deps;
    const interruptionIds = batch.map(({ interruptionId }) => interruptionId);
    const segmentOf = new Map(batch.map(({ interruptionId, recordingId }) => [interruptionId, recordingId]));
    const heard: HeardSound = {
      has: (interruptionId) => openingAudio.has(segmentOf.get(interruptionId)!),
      take: (interruptionId) => openingAudio.take(segmentOf.get(interruptionId)!),
    };
    try {
      const results = await analyseSpokenReasons(
        { db, archiveRoot: this.deps.archiveRoot, config, now: () => clock.now() },
        interruptionIds,
        heard,
      );
      for (const result of results) {
        const { interruptionId } = result;
        if (result.state === 'failed') {
          logger.warn({ interruptionId, error: result.error }, 'spoken-reason check failed to run');
        } else if (result.state === 'absent') {
          logger.warn({ interruptionId }, 'resumed recording starts without a spoken reason');
        }
      }
    } catch (error) {
      logger.error({ err: error, interruptionIds }, 'spoken-reason check failed to run');
      events.emit('error', { scope: 'spoken-reason', message: (error as Error).message });
    }
  }
}
