/**
 * Limits on guessing passwords, kept in memory (a restart forgets them; the audit log does not):
 *
 * - per account: after `accountFailures` wrong passwords in a row the account is locked, first for
 *   `lockMs`, and each further failure doubles the lock up to `maxLockMs`. A right password, or a
 *   day without failures, resets it.
 *   Only names of real accounts are counted, so the table holds at most one entry per user.
 * - per source address: after `sourceFailures` failures within `windowMs`, whatever names were
 *   tried, the address is locked the same way. Spraying one password over many names, or flooding
 *   the table with made-up names, therefore stops at the address limit; entries are evicted only
 *   once they have gone quiet, so junk cannot push a locked address out.
 *
 * Failures for unknown names are summarised per source and window instead of logged one by one.
 */
export interface LoginLimits {
  accountFailures: number;
  sourceFailures: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
  /** Addresses remembered at once; quiet ones are forgotten first. */
  maxSources: number;
}

export const defaultLoginLimits: LoginLimits = {
  accountFailures: 5,
  sourceFailures: 30,
  windowMs: 15 * 60_000,
  lockMs: 60_000,
  maxLockMs: 60 * 60_000,
  maxSources: 10_000,
};

interface Counter {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

interface SourceCounter extends Counter {
  /** Failures for names that are no account, not yet in the audit log. */
  unknownAttempts: number;
  unknownNames: Set<string>;
  /** Whether this window's first unknown name has been logged. */
  unknownLogged: boolean;
}

export type Refusal = { locked: 'account' | 'source'; retryAfterMs: number };

/** What the caller writes to the audit log after a failure. */
export interface FailureReport {
  accountLocked?: { name: string; until: Date; failures: number };
  sourceLocked?: { until: Date; failures: number };
  /** Set when unknown-name failures of a source are due to be logged as one entry. */
  unknownSummary?: UnknownSummary;
}

export interface UnknownSummary {
  source: string;
  attempts: number;
  names: string[];
}

const namesKept = 20;
const accountMemoryMs = 24 * 3600_000;

export class LoginThrottle {
  private readonly accounts = new Map<string, Counter>();
  private readonly sources = new Map<string, SourceCounter>();

  constructor(readonly limits: LoginLimits = defaultLoginLimits) {}

  /** Null when an attempt may be checked; otherwise which lock holds and for how long. */
  refusal(source: string, accountName: string | null, now: Date): Refusal | null {
    const at = now.getTime();
    const bySource = this.sources.get(source);
    if (bySource && bySource.lockedUntil > at)
      return { locked: 'source', retryAfterMs: bySource.lockedUntil - at };
    const byAccount = accountName ? this.accounts.get(accountName) : undefined;
    if (byAccount && byAccount.lockedUntil > at)
      return { locked: 'account', retryAfterMs: byAccount.lockedUntil - at };
    return null;
  }

  /** A wrong password (or unknown name: `accountName` null) from `source`. */
  failed(source: string, accountName: string | null, triedName: string, now: Date): FailureReport {
    const at = now.getTime();
    const report: FailureReport = {};
    const bySource = this.sourceCounter(source, at);
    if (accountName === null) {
      bySource.unknownAttempts++;
      if (bySource.unknownNames.size < namesKept) bySource.unknownNames.add(triedName);
      // The first unknown name of a window is logged at once, the rest when the window ends.
      if (!bySource.unknownLogged) {
        bySource.unknownLogged = true;
        report.unknownSummary = this.takeSummary(source, bySource);
      }
    }
    const sourceLock = this.count(bySource, this.limits.sourceFailures, at);
    if (sourceLock) {
      report.sourceLocked = { until: new Date(sourceLock), failures: bySource.failures };
      report.unknownSummary = this.takeSummary(source, bySource) ?? report.unknownSummary;
    }
    if (accountName !== null) {
      const byAccount = this.accountCounter(accountName, at);
      const accountLock = this.count(byAccount, this.limits.accountFailures, at);
      if (accountLock)
        report.accountLocked = {
          name: accountName,
          until: new Date(accountLock),
          failures: byAccount.failures,
        };
    }
    return report;
  }

  /** A right password: the account's count starts again (the address keeps its count). */
  succeeded(accountName: string): void {
    this.accounts.delete(accountName);
  }

  /**
   * Unknown-name failures not yet logged, of sources whose window has ended (or of every source
   * with `all`, at shutdown). Quiet sources are forgotten once reported.
   */
  dueSummaries(now: Date, all = false): UnknownSummary[] {
    const at = now.getTime();
    const summaries: UnknownSummary[] = [];
    for (const [source, counter] of this.sources) {
      if (!all && !this.quiet(counter, at)) continue;
      const summary = this.takeSummary(source, counter);
      if (summary) summaries.push(summary);
      if (this.quiet(counter, at)) this.sources.delete(source);
    }
    return summaries;
  }

  /** Counts a failure; returns the end of the lock it starts, or null. */
  private count(counter: Counter, threshold: number, at: number): number | null {
    counter.failures++;
    counter.lastFailure = at;
    if (counter.failures < threshold) return null;
    const doublings = Math.min(counter.failures - threshold, 30);
    counter.lockedUntil = at + Math.min(this.limits.lockMs * 2 ** doublings, this.limits.maxLockMs);
    return counter.lockedUntil;
  }

  private accountCounter(name: string, at: number): Counter {
    let counter = this.accounts.get(name);
    // An account forgets its failures only after a day without one, so the lock keeps doubling.
    if (!counter || (counter.lockedUntil <= at && at - counter.lastFailure > accountMemoryMs)) {
      counter = { failures: 0, lastFailure: at, lockedUntil: 0 };
      this.accounts.set(name, counter);
    }
    return counter;
  }

  private sourceCounter(source: string, at: number): SourceCounter {
    let counter = this.sources.get(source);
    if (counter && this.quiet(counter, at)) {
      // A new window; unknown names the old one still holds go out with this window's first entry.
      counter.failures = 0;
      counter.lockedUntil = 0;
      counter.unknownLogged = false;
    }
    if (!counter) {
      if (this.sources.size >= this.limits.maxSources) this.forgetQuietSources(at);
      counter = {
        failures: 0,
        lastFailure: at,
        lockedUntil: 0,
        unknownAttempts: 0,
        unknownNames: new Set(),
        unknownLogged: false,
      };
      this.sources.set(source, counter);
    }
    return counter;
  }

  /** No failure for a window and no lock in force: the count starts again. */
  private quiet(counter: Counter, at: number): boolean {
    return counter.lockedUntil <= at && at - counter.lastFailure > this.limits.windowMs;
  }

  private forgetQuietSources(at: number): void {
    for (const [source, counter] of this.sources)
      if (this.quiet(counter, at) && counter.unknownAttempts === 0) this.sources.delete(source);
    // Still full of active addresses: drop the one that failed longest ago, never a locked one.
    if (this.sources.size < this.limits.maxSources) return;
    let oldest: string | null = null;
    for (const [source, counter] of this.sources) {
      if (counter.lockedUntil > at) continue;
      if (oldest === null || counter.lastFailure < this.sources.get(oldest)!.lastFailure) oldest = source;
    }
    if (oldest !== null) this.sources.delete(oldest);
  }

  private takeSummary(source: string, counter: SourceCounter): UnknownSummary | undefined {
    if (counter.unknownAttempts === 0) return undefined;
    const summary = { source, attempts: counter.unknownAttempts, names: [...counter.unknownNames] };
    counter.unknownAttempts = 0;
    counter.unknownNames.clear();
    return summary;
  }
}
