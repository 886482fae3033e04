import type { PlaybackQueue } from '../ingest/playback-queue.ts';
import type { Service } from './controller.ts';

// A playback check can take minutes on a long file; at shutdown we wait this long, and whatever is
// still running is left with probed_at NULL for the next start to redo.
const shutdownGraceMs = 10_000;

/** The playback-check queue as a service: it owns no watcher, only the wait for its work at shutdown. */
export function playbackService(playback: PlaybackQueue): Service {
  return {
    name: 'playback',
    start() {},
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, shutdownGraceMs);
      });
      await Promise.race([playback.whenIdle(), grace]);
      clearTimeout(timer);
    },
  };
}
