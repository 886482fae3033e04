import { setTimeout as sleep } from 'node:timers/promises';

// Tests wait on real processes, devices and queues, never on a fixed sleep: they ask again and again
// until the thing is so. The deadline keeps a wait that will never end from hanging to the test
// timeout, and the error says what was awaited.

export interface UntilOptions {
  /** Default 60 s, half the test timeout, so the failure is this wait's and says so. */
  timeoutMs?: number;
  /** Pause between two questions; default 20 ms. */
  everyMs?: number;
}

/**
 * Resolves with the first answer of `probe` that is not `false`, `null` or `undefined`: a condition
 * (`() => done`) resolves with `true`, a lookup (`() => row`) with the row found.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  options: UntilOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const { timeoutMs = 60_000, everyMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer !== false && answer !== null && answer !== undefined)
      return answer as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline)
      throw new Error(`gave up after ${timeoutMs / 1000} s waiting until ${String(probe).slice(0, 300)}`);
    await sleep(everyMs);
  }
}
