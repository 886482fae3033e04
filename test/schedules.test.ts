import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { collectAlerts } from '../src/compliance/alerts.ts';
import { createSchedulerService } from '../src/compliance/scheduler-service.ts';
import {
  findJobRun,
  type Job,
  listJobRuns,
  retryDelaySeconds,
  Scheduler,
} from '../src/compliance/schedules.ts';
import { silentLogger } from '../src/log/logger.ts';
import { type ComplianceStation, openTestStation, shanghai, zone } from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

/** A job that counts its runs and the instants it ran at. */
function countingJob(name: string, cron: string, body: () => Promise<unknown> = async () => 'ok') {
  const runs: Date[] = [];
  const job: Job = {
    name,
    cron,
    run: async (now) => {
      runs.push(now);
      return body();
    },
  };
  return { job, runs };
}

function schedulerFor(jobs: Job[], options: { leaseMinutes?: number } = {}) {
  return new Scheduler({
    db: test.station.db,
    clock: test.clock,
    zone,
    logger: silentLogger,
    jobs,
    retry: { firstDelaySeconds: 60, maxDelaySeconds: 600 },
    ...options,
  });
}

describe('scheduled jobs', () => {
  it('run once on the first start of a new station and not again in the same slot', async () => {
    test = await openTestStation(shanghai('2026-03-04 10:00'));
    const nightly = countingJob('nightly', '0 2 * * *');
    const scheduler = schedulerFor([nightly.job]);
    expect((await scheduler.runAllDue()).map((outcome) => outcome.outcome)).toEqual(['succeeded']);
    test.clock.advance(3600_000);
    expect(await scheduler.runAllDue()).toEqual([]);
    expect(nightly.runs).toHaveLength(1);
    expect(findJobRun(test.station.db, 'nightly')).toMatchObject({
      lastScheduledFor: shanghai('2026-03-04 02:00').toISOString(),
      lastResult: 'ok',
      consecutiveFailures: 0,
    });
  });

  it('catch up once on start after the station was off for a week, for the newest missed night', async () => {
    test = await openTestStation(shanghai('2026-02-25 02:00'));
    const nightly = countingJob('nightly', '0 2 * * *');
    await schedulerFor([nightly.job]).runAllDue();
    // Switched off for a week across the end of February; a new process starts.
    test.clock.set(shanghai('2026-03-04 09:30'));
    const restarted = schedulerFor([nightly.job]);
    const outcomes = await restarted.runAllDue();
    expect(outcomes).toEqual([
      {
        job: 'nightly',
        outcome: 'succeeded',
        slot: shanghai('2026-03-04 02:00').toISOString(),
        result: 'ok',
      },
    ]);
    expect(await restarted.runAllDue()).toEqual([]);
    expect(nightly.runs).toHaveLength(2);
  });

  it('keep to Shanghai wall time across a leap day and a month end', async () => {
    test = await openTestStation(shanghai('2028-02-28 02:00'));
    const nightly = countingJob('nightly', '0 2 * * *');
    const scheduler = schedulerFor([nightly.job]);
    await scheduler.runAllDue();
    test.clock.set(shanghai('2028-02-29 01:59'));
    expect(await scheduler.runAllDue()).toEqual([]);
    test.clock.set(shanghai('2028-02-29 02:00'));
    expect((await scheduler.runAllDue())[0]).toMatchObject({
      slot: shanghai('2028-02-29 02:00').toISOString(),
    });
    test.clock.set(shanghai('2028-03-01 02:00'));
    expect((await scheduler.runAllDue())[0]).toMatchObject({ slot: '2028-02-29T18:00:00.000Z' });
  });

  it('never run twice at once, in one process or across two sharing the database', async () => {
    test = await openTestStation(shanghai('2026-03-04 10:00'));
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = countingJob('slow', '*/5 * * * *', async () => blocked);
    const first = schedulerFor([slow.job]);
    const second = schedulerFor([slow.job]);
    const running = first.runAllDue();
    // The slot is taken: neither scheduler sees it as due any more.
    expect(await first.runAllDue()).toEqual([]);
    expect(await second.runAllDue()).toEqual([]);
    // Forced for the same slot, both find the job busy.
    const slot = test.clock.now();
    expect(await first.runJob(slow.job, slot)).toMatchObject({ outcome: 'busy' });
    expect(await second.runJob(slow.job, slot)).toMatchObject({ outcome: 'busy' });
    release();
    expect((await running)[0]).toMatchObject({ outcome: 'succeeded' });
    expect(slow.runs).toHaveLength(1);
  });

  it('take over the lease of a process that died mid-run once the lease is stale', async () => {
    test = await openTestStation(shanghai('2026-03-04 10:00'));
    const job = countingJob('hourly', '0 * * * *');
    test.station.db
      .prepare('INSERT INTO job_runs (job, running_since, last_scheduled_for) VALUES (?, ?, ?)')
      .run('hourly', shanghai('2026-03-04 08:00').toISOString(), shanghai('2026-03-04 08:00').toISOString());
    const scheduler = schedulerFor([job.job], { leaseMinutes: 180 });
    expect((await scheduler.runAllDue())[0]).toMatchObject({ outcome: 'busy' });
    test.clock.set(shanghai('2026-03-04 11:01'));
    expect((await scheduler.runAllDue())[0]).toMatchObject({ outcome: 'succeeded' });
  });

  it('take over at once the lease of a process on this host that no longer exists, not of a live one', async () => {
    test = await openTestStation(shanghai('2026-03-04 10:00'));
    const job = countingJob('hourly', '0 * * * *');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const hold = (owner: string) =>
      test.station.db
        .prepare(
          `INSERT INTO job_runs (job, running_since, running_owner) VALUES ('hourly', ?, ?)
           ON CONFLICT (job) DO UPDATE SET running_since = excluded.running_since, running_owner = excluded.running_owner`,
        )
        .run(test.clock.now().toISOString(), owner);
    const scheduler = schedulerFor([job.job]);
    hold(`${hostname()}:1`);
    expect(await scheduler.runJob(job.job, test.clock.now())).toMatchObject({ outcome: 'busy' });
    hold(`another-station:${deadPid}`);
    expect(await scheduler.runJob(job.job, test.clock.now())).toMatchObject({ outcome: 'busy' });
    hold(`${hostname()}:${deadPid}`);
    expect(await scheduler.runJob(job.job, test.clock.now())).toMatchObject({ outcome: 'succeeded' });
  });

  it('retry a failing job with doubling back-off capped at the maximum, then raise an alert', async () => {
    test = await openTestStation(shanghai('2026-03-04 02:00'));
    let fail = true;
    const flaky = countingJob('flaky', '0 2 * * *', async () => {
      if (fail) throw new Error('archive disk not mounted');
      return 'recovered';
    });
    const scheduler = schedulerFor([flaky.job]);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const [outcome] = await scheduler.runAllDue();
      expect(outcome).toMatchObject({ outcome: 'failed', error: 'archive disk not mounted' });
      const retryAt = Date.parse(findJobRun(test.station.db, 'flaky')!.nextRetryAt!);
      delays.push((retryAt - test.clock.now().getTime()) / 1000);
      // Not before its back-off has passed.
      test.clock.set(new Date(retryAt - 1000));
      expect(await scheduler.runAllDue()).toEqual([]);
      test.clock.set(new Date(retryAt));
    }
    expect(delays).toEqual([60, 120, 240, 480, 600, 600]);
    const alerts = collectAlerts({
      db: test.station.db,
      config: test.station.config,
      now: test.clock.now(),
      freeBytes: 1e15,
    });
    expect(alerts.find((alert) => alert.kind === 'job-failing')).toMatchObject({
      subject: 'flaky',
      severity: 'critical',
      detail: { failures: 6, lastError: 'archive disk not mounted' },
    });
    fail = false;
    expect((await scheduler.runAllDue())[0]).toMatchObject({ outcome: 'succeeded', result: 'recovered' });
    expect(findJobRun(test.station.db, 'flaky')).toMatchObject({ consecutiveFailures: 0, nextRetryAt: null });
  });

  it('compute the back-off as a capped doubling', () => {
    const policy = { firstDelaySeconds: 60, maxDelaySeconds: 3600 };
    expect([1, 2, 3, 7, 20].map((failures) => retryDelaySeconds(failures, policy))).toEqual([
      60, 120, 240, 3600, 3600,
    ]);
  });
});

describe('the scheduler service', () => {
  it('catches up the compliance jobs on start and stops cleanly', async () => {
    test = await openTestStation(shanghai('2026-03-04 10:00'));
    const service = createSchedulerService(test.station);
    expect(service.name).toBe('scheduler');
    await service.start();
    await service.stop();
    expect(
      listJobRuns(test.station.db).map((run) => [
        run.job,
        run.consecutiveFailures,
        run.lastSuccessAt !== null,
      ]),
    ).toEqual([
      ['compliance-alerts', 0, true],
      ['deletion-purge', 0, true],
      ['retention-review', 0, true],
    ]);
    expect(findJobRun(test.station.db, 'retention-review')?.lastResult).toEqual({
      due: 0,
      expiring: 0,
      held: 0,
    });
  });
});
