import type { Service } from '../daemon/controller.ts';
import type { Station } from '../station.ts';
import type { DistrictSettings } from './district-settings.ts';
import { DistrictSync, type SyncReport } from './district-sync.ts';

export interface DistrictSyncServiceOptions {
  /** Time between passes; a finished dock starts one sooner. */
  intervalMs?: number;
  onPass?(report: SyncReport | Error): void;
}

/**
 * The district sync as a daemon service. It runs beside docking and never in its way: passes are
 * asynchronous, one at a time, and a district that cannot be reached (for days) is logged and tried
 * again on the next pass, which then catches up on everything owed.
 */
export function districtSyncService(
  station: Station,
  settings: DistrictSettings,
  options: DistrictSyncServiceOptions = {},
): Service {
  const logger = station.logger.child({ service: 'district' });
  const intervalMs = options.intervalMs ?? 60_000;
  let sync: DistrictSync | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  let again = false;

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pass, delay);
  };
  const pass = () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        const report = await sync!.runOnce();
        if (report.uploaded.length || report.failed.length)
          logger.info(
            {
              uploaded: report.uploaded.length,
              failed: report.failed.length,
              anchoredHeadId: report.anchoredHeadId,
            },
            'district sync pass',
          );
        options.onPass?.(report);
      } catch (error) {
        logger.warn({ err: error }, 'district not reachable; the next pass catches up');
        options.onPass?.(error as Error);
      }
    })().finally(() => {
      running = null;
      schedule(again ? 0 : intervalMs);
      again = false;
    });
  };
  let unsubscribe: (() => void) | null = null;

  return {
    name: 'district-sync',
    start() {
      sync = new DistrictSync({ ...station, settings, logger });
      stopped = false;
      unsubscribe = station.events.on('dock.done', () => schedule(0));
      schedule(0);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await running;
      await sync?.close();
      sync = null;
    },
  };
}
