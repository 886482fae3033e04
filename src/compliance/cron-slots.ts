import cron from 'node-cron';

// node-cron fires jobs while the station runs; to catch up after it was off we need the newest slot
// a job missed, which node-cron cannot tell us. We ask its own matcher minute by minute backwards,
// so catch-up and live firing agree on what the expression means in the station's zone.

const minute = 60_000;
/** How far back a missed slot is looked for; a monthly job still finds its last slot. */
const lookbackMinutes = 32 * 24 * 60;

export function isValidCron(expression: string): boolean {
  return cron.validate(expression) && expression.trim().split(/\s+/).length === 5;
}

function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / minute) * minute);
}

/** The newest slot of `expression` at or before `now` and strictly after `after`, or null. */
export function latestSlot(expression: string, zone: string, now: Date, after: Date | null): Date | null {
  const matcher = cron.createTask(expression, () => {}, { timezone: zone });
  try {
    const newest = floorToMinute(now).getTime();
    const oldest = Math.max(
      newest - lookbackMinutes * minute,
      after ? after.getTime() + 1 : Number.NEGATIVE_INFINITY,
    );
    for (let slot = newest; slot >= oldest; slot -= minute) {
      if (matcher.match(new Date(slot))) return new Date(slot);
    }
    return null;
  } finally {
    void matcher.destroy();
  }
}
