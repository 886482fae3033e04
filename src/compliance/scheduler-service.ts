import type { Station } from '../station.ts';
import { complianceJobs } from './jobs.ts';
import { type Job, Scheduler } from './schedules.ts';

export interface SchedulerService {
  name: 'scheduler';
  scheduler: Scheduler;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The scheduler as a daemon service: start() hands the jobs to node-cron and catches up on missed slots. */
export function createSchedulerService(station: Station, extraJobs: Job[] = []): SchedulerService {
  const scheduler = new Scheduler({
    db: station.db,
    clock: station.clock,
    zone: station.config.station.timezone,
    logger: station.logger.child({ service: 'scheduler' }),
    jobs: [...complianceJobs(station), ...extraJobs],
    alertAfterFailures: station.config.alerts.jobFailureAlertAfter,
  });
  return {
    name: 'scheduler',
    scheduler,
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  };
}
