import type { DockedVolume } from '../drivers/driver.ts';
import type { Logger } from '../log/logger.ts';
import { createLimiter, type Limiter } from '../util/limiter.ts';
import { DockSession, type DockState, type SessionStation, type StageHook } from './dock-session.ts';

export type DockStation = SessionStation;

export interface DockRequest {
  volume: DockedVolume;
  /** How it was found: "mount" or "folder". */
  origin: string;
}

export interface DockOutcome {
  dockId: number;
  state: DockState;
}

const openRetryMs = 1000;

interface Running {
  session: DockSession;
  done: Promise<DockOutcome>;
}

/**
 * Opens one dock session per docked volume and runs up to `dock.maxParallel` of them at once, so
 * eight recorders share the archive disk instead of eighty files fighting over it. Each session owns
 * its dock's states; the manager only routes removals and the shutdown to it.
 */
export class DockManager {
  private readonly running = new Map<string, Running>();
  private readonly limit: Limiter;
  private stopping = false;

  constructor(
    private readonly station: DockStation,
    private readonly logger: Logger,
    private readonly onStage?: StageHook,
  ) {
    this.limit = createLimiter(station.config.dock.maxParallel);
  }

  /** Opens a session; null when this volume is already being docked or the manager is stopping. */
  dock(request: DockRequest): Promise<DockOutcome> | null {
    const { root } = request.volume;
    if (this.stopping || this.running.has(root)) return null;
    // Opening writes the dock row; a ledger held by another process must not take the daemon down.
    let session: DockSession;
    try {
      session = DockSession.open(
        this.station,
        { volume: request.volume, origin: request.origin, recorderChecks: true, onStage: this.onStage },
        this.logger,
      );
    } catch (error) {
      this.logger.error({ root, err: error }, 'could not open a dock for the recorder; trying again');
      setTimeout(() => this.dock(request), openRetryMs).unref();
      return null;
    }
    const done = this.limit(() => session.run())
      .then((report) => ({ dockId: report.dockId, state: report.state }))
      .finally(() => this.running.delete(root));
    this.running.set(root, { session, done });
    return done;
  }

  /** The sessions in progress, for the log of a failure. */
  active(): { dockId: number; root: string }[] {
    return [...this.running.values()].map(({ session }) => ({ dockId: session.dockId, root: session.root }));
  }

  /** The volume is gone: its session stops copying, throws the partial file away, ends device-removed. */
  undock(root: string): void {
    this.running.get(root)?.session.removedFromDock();
  }

  /** Abandons the file in flight of every session (its partial copy is discarded) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.running.values()];
    for (const { session } of running) session.stop();
    await Promise.allSettled(running.map(({ done }) => done));
  }
}
