import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from '../ledger/database.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../time/clock.ts';
import { isoInZone } from '../time/zone.ts';
import { isValidCron, latestSlot } from './cron-slots.ts';

// Scheduled jobs that survive restarts (after graphile-worker): node-cron fires them while the station
// runs, but the truth is the job_runs row. A slot missed while the station was off is run once on
// start (one catch-up, not one per missed night: every job here looks at the whole ledger each time).
// A run holds a lease in the database, so two processes (daemon and a CLI) never run a job at once.

export interface Job {
  name: string;
  /** Five-field cron expression, read in the station's zone. */
  cron: string;
  /** Returns a JSON-able summary kept as the job's last result. */
  run(now: Date): Promise<unknown>;
}

export interface JobRun {
  job: string;
  lastScheduledFor: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastResult: unknown;
  runningSince: string | null;
  consecutiveFailures: number;
  nextRetryAt: string | null;
}

export interface RetryPolicy {
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  zone: string;
  logger: Logger;
  jobs: Job[];
  retry?: RetryPolicy;
  /** A lease older than this belongs to a process that died mid-run and may be taken over. */
  leaseMinutes?: number;
  alertAfterFailures?: number;
}

export type RunOutcome =
  | { job: string; outcome: 'succeeded'; slot: string; result: unknown }
  | { job: string; outcome: 'failed'; slot: string; error: string; nextRetryAt: string }
  | { job: string; outcome: 'busy'; slot: string };

export const defaultRetry: RetryPolicy = { firstDelaySeconds: 60, maxDelaySeconds: 3600 };

/** Doubling delay from the first, never above the maximum: 1 min, 2, 4 … 60 min, 60 min … */
export function retryDelaySeconds(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.firstDelaySeconds * 2 ** Math.max(0, failures - 1), policy.maxDelaySeconds);
}

interface JobRunRow {
  job: string;
  last_scheduled_for: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_result: string | null;
  running_since: string | null;
  consecutive_failures: number;
  next_retry_at: string | null;
}

const toJobRun = (row: JobRunRow): JobRun => ({
  job: row.job,
  lastScheduledFor: row.last_scheduled_for,
  lastStartedAt: row.last_started_at,
  lastFinishedAt: row.last_finished_at,
  lastSuccessAt: row.last_success_at,
  lastError: row.last_error,
  lastResult: row.last_result ? JSON.parse(row.last_result) : null,
  runningSince: row.running_since,
  consecutiveFailures: row.consecutive_failures,
  nextRetryAt: row.next_retry_at,
});

export function listJobRuns(db: Db): JobRun[] {
  return (db.prepare('SELECT * FROM job_runs ORDER BY job').all() as JobRunRow[]).map(toJobRun);
}

export function findJobRun(db: Db, job: string): JobRun | null {
  const row = db.prepare('SELECT * FROM job_runs WHERE job = ?').get(job) as JobRunRow | undefined;
  return row ? toJobRun(row) : null;
}

const leaseOwner = `${hostname()}:${process.pid}`;

/** True when the owner ran on this host and its process is gone; another host's lease only ages out. */
function ownerIsGone(owner: string | null): boolean {
  if (!owner) return false;
  const separator = owner.lastIndexOf(':');
  const host = owner.slice(0, separator);
  const pid = Number(owner.slice(separator + 1));
  if (host !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retry: RetryPolicy;
  private readonly leaseMinutes: number;
  private readonly alertAfterFailures: number;

  constructor(private readonly options: SchedulerOptions) {
    for (const job of options.jobs) {
      if (!isValidCron(job.cron))
        throw new Error(`job ${job.name}: "${job.cron}" is not a five-field cron expression`);
    }
    this.retry = options.retry ?? defaultRetry;
    this.leaseMinutes = options.leaseMinutes ?? 360;
    this.alertAfterFailures = options.alertAfterFailures ?? 3;
  }

  /**
   * Lets node-cron fire each job and a once-a-minute retry check, and catches up on slots missed while
   * stopped in the background, so a long job never holds up the daemon's start.
   */
  async start(): Promise<void> {
    const { zone } = this.options;
    for (const job of this.options.jobs) {
      this.tasks.push(
        cron.schedule(job.cron, () => this.track(() => this.runDue(job)), { timezone: zone, name: job.name }),
      );
    }
    // Retries fall between slots: look once a minute for one whose back-off has passed.
    this.tasks.push(
      cron.schedule('* * * * *', () => this.track(() => this.runAllDue()), {
        timezone: zone,
        name: 'scheduler-retries',
      }),
    );
    void this.track(() => this.runAllDue());
  }

  /** Stops firing and waits for runs in progress, so none outlives the database. */
  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
    await this.idle();
  }

  /** Resolves once every run started so far (the catch-up included) has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  // A job's own failure is recorded by runJob; this also catches the scheduler's (a locked database),
  // so a timer callback never rejects unhandled.
  private track(work: () => Promise<unknown>): Promise<void> {
    const run = work()
      .then(() => undefined)
      .catch((error) => this.options.logger.error({ err: error }, 'scheduler could not run its jobs'));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  async runAllDue(): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (const job of this.options.jobs) {
      const outcome = await this.runDue(job);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** The slot a job should run for now: a new (or missed) slot, a retry whose back-off passed, or none. */
  dueSlot(job: Job, now: Date): Date | null {
    const state = findJobRun(this.options.db, job.name);
    if (!state?.lastScheduledFor) return latestSlot(job.cron, this.options.zone, now, null) ?? now;
    const fresh = latestSlot(job.cron, this.options.zone, now, new Date(state.lastScheduledFor));
    if (fresh) return fresh;
    if (state.nextRetryAt && state.nextRetryAt <= now.toISOString()) return new Date(state.lastScheduledFor);
    return null;
  }

  async runDue(job: Job): Promise<RunOutcome | null> {
    const slot = this.dueSlot(job, this.options.clock.now());
    return slot ? this.runJob(job, slot) : null;
  }

  /** Runs one job for one slot unless it is already running here or in another process. */
  async runJob(job: Job, slot: Date): Promise<RunOutcome> {
    const slotText = slot.toISOString();
    if (this.running.has(job.name) || !this.claim(job.name, slotText)) {
      return { job: job.name, outcome: 'busy', slot: slotText };
    }
    this.running.add(job.name);
    try {
      const result = await job.run(this.options.clock.now());
      this.finish(job.name, { result });
      this.options.logger.info(
        { job: job.name, slot: isoInZone(slot, this.options.zone), result },
        'scheduled job finished',
      );
      return { job: job.name, outcome: 'succeeded', slot: slotText, result };
    } catch (error) {
      return this.fail(job.name, slotText, error as Error);
    } finally {
      this.running.delete(job.name);
    }
  }

  /**
   * Takes the job's lease unless a live holder has it. A lease is free when released, older than
   * leaseMinutes, or held by a process on this host that no longer exists (the station was killed
   * mid-run and restarted), so catch-up after a crash does not wait for the lease to age.
   */
  private claim(job: string, slot: string): boolean {
    const { db } = this.options;
    const now = this.options.clock.now();
    const staleBefore = new Date(now.getTime() - this.leaseMinutes * 60_000).toISOString();
    return db
      .transaction(() => {
        db.prepare('INSERT INTO job_runs (job) VALUES (?) ON CONFLICT (job) DO NOTHING').run(job);
        const lease = db
          .prepare('SELECT running_since, running_owner FROM job_runs WHERE job = ?')
          .get(job) as {
          running_since: string | null;
          running_owner: string | null;
        };
        const free =
          lease.running_since === null ||
          lease.running_since < staleBefore ||
          ownerIsGone(lease.running_owner);
        if (!free) return false;
        db.prepare(
          `UPDATE job_runs SET running_since = ?, running_owner = ?, last_started_at = ?, last_scheduled_for = ?
           WHERE job = ?`,
        ).run(now.toISOString(), leaseOwner, now.toISOString(), slot, job);
        return true;
      })
      .immediate();
  }

  private finish(job: string, outcome: { result: unknown }): void {
    const now = this.options.clock.now().toISOString();
    this.options.db
      .prepare(
        `UPDATE job_runs SET running_since = NULL, running_owner = NULL, last_finished_at = ?, last_success_at = ?,
           last_error = NULL,
           last_result = ?, consecutive_failures = 0, next_retry_at = NULL WHERE job = ?`,
      )
      .run(now, now, JSON.stringify(outcome.result ?? null), job);
  }

  private fail(job: string, slot: string, error: Error): RunOutcome {
    const { db, logger } = this.options;
    const now = this.options.clock.now();
    const failures = (findJobRun(db, job)?.consecutiveFailures ?? 0) + 1;
    const nextRetryAt = new Date(
      now.getTime() + retryDelaySeconds(failures, this.retry) * 1000,
    ).toISOString();
    db.prepare(
      `UPDATE job_runs SET running_since = NULL, running_owner = NULL, last_finished_at = ?, last_error = ?,
         consecutive_failures = ?,
         next_retry_at = ? WHERE job = ?`,
    ).run(now.toISOString(), error.message, failures, nextRetryAt, job);
    const level = failures >= this.alertAfterFailures ? 'error' : 'warn';
    logger[level]({ job, slot, failures, nextRetryAt, err: error }, 'scheduled job failed');
    return { job, outcome: 'failed', slot, error: error.message, nextRetryAt };
  }
}
