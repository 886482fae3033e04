import type { Archive } from '../archive/archive.ts';
import type { StationConfig } from '../config/config.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Db } from '../ledger/database.ts';
import { type Recording, recordingsAwaitingPlayback, recordPlayback } from '../ledger/recordings.ts';
import type { Logger } from '../log/logger.ts';
import type { OpeningAudio } from '../media/audio-window.ts';
import { checkPlayback } from '../media/playback-check.ts';
import { type ProbeResult, probe } from '../media/probe.ts';
import type { Clock } from '../time/clock.ts';
import { createLimiter, type Limiter } from '../util/limiter.ts';

// A check waits for the copies (Archive.whenQuiet) at most this long after it was queued: a shift change
// with 24 slow recorders copies for an hour, and the checks must not wait for all of it.
const maxWaitForCopiesMs = 60_000;

/**
 * Checks that archived recordings play back, a few at a time. It works on the archive copy, never the
 * recorder, and its progress is the `probed_at` column, so a restart picks up what was left.
 */
export class PlaybackQueue {
  private readonly limit: Limiter;
  private readonly inFlight = new Set<Promise<void>>();
  /** The check of each queued recording, by id, until it ends. */
  private readonly queued = new Map<number, Promise<void>>();

  constructor(
    private readonly deps: {
      db: Db;
      archive: Archive;
      config: StationConfig;
      clock: Clock;
      events: EventBus;
      logger: Logger;
      /** Where the sound the check decodes is kept for the art. 18 check; none in the bench's baseline. */
      openingAudio?: OpeningAudio;
    },
  ) {
    this.limit = createLimiter(deps.config.ingest.playbackConcurrency);
  }

  enqueue(recording: Recording, probed?: ProbeResult): Promise<void> {
    if (!recording.archivePath) return Promise.resolve();
    const queued = this.queued.get(recording.id);
    if (queued) return queued;
    const waitUntil = performance.now() + maxWaitForCopiesMs;
    const task = this.limit(() => this.check(recording, waitUntil, probed)).finally(() => {
      this.inFlight.delete(task);
      this.queued.delete(recording.id);
    });
    this.inFlight.add(task);
    this.queued.set(recording.id, task);
    return task;
  }

  /**
   * Runs follow-up work on archived recordings (the spoken-reason check of an interruption) in this
   * queue's pool, so it shares the bound on ffmpeg runs and shutdown waits for it as for a check.
   */
  runInPool(task: () => Promise<void>): Promise<void> {
    const run: Promise<void> = this.limit(task).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  /** Re-queues every recording whose check never finished. */
  resume(): number {
    const waiting = recordingsAwaitingPlayback(this.deps.db);
    for (const recording of waiting) void this.enqueue(recording);
    return waiting.length;
  }

  /** Waits for the checks of these recordings only: one dock does not wait for the others' footage. */
  async whenChecked(recordingIds: number[]): Promise<void> {
    await Promise.allSettled(recordingIds.map((id) => this.queued.get(id)));
  }

  async whenIdle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async check(recording: Recording, waitUntil: number, probed?: ProbeResult): Promise<void> {
    const { config, archive, db, clock, events, logger, openingAudio } = this.deps;
    const file = archive.absolutePath(recording.archivePath!);
    await archive.whenQuiet(waitUntil);
    try {
      const probeResult =
        probed ?? (await probe(file, { timeoutMs: config.ingest.probeTimeoutSeconds * 1000 }));
      let heard: 'written' | 'no-audio' | undefined;
      const report = await checkPlayback(file, recording.kind, probeResult, {
        timeoutMs: config.ingest.decodeTimeoutSeconds * 1000,
        sampleSeconds: config.ingest.sampleSeconds,
        openingAudio: openingAudio && {
          seconds: config.interruptions.spokenReasonSeconds,
          file: openingAudio.fileFor(recording.id),
          receive: (window) => (heard = window),
        },
      });
      recordPlayback(db, recording.id, report, clock.now());
      // Kept before the event: the spoken-reason queue may claim it on hearing it.
      if (heard !== undefined) openingAudio!.keep(recording.id, heard);
      events.emit('recording.checked', { recordingId: recording.id, playback: report.status });
      if (report.status !== 'ok') {
        logger.warn(
          { recordingId: recording.id, status: report.status, errors: report.errors.slice(0, 3) },
          'recording does not play back cleanly',
        );
      }
    } catch (error) {
      // Left with probed_at NULL: the next start retries it.
      logger.error({ err: error, recordingId: recording.id }, 'playback check failed to run');
      events.emit('error', { scope: 'playback', message: (error as Error).message });
    }
  }
}
