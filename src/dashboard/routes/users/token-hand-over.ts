import { randomBytes } from 'node:crypto';

export interface NewToken {
  token: string;
  name: string;
  user: string;
}

const keepMs = 5 * 60_000;

/**
 * A new API token's secret waits here, in memory only, for the one page that shows it. The form is
 * answered with a redirect, so reloading that page cannot make a second token, and the secret is gone
 * once shown. Only the user who made the token can claim it; unclaimed secrets expire.
 */
export class TokenHandOver {
  private readonly waiting = new Map<string, { token: NewToken; userId: number; until: number }>();

  /** Keeps the secret for `userId`; returns the one-time key that claims it. */
  hold(token: NewToken, userId: number, now: Date): string {
    this.forgetExpired(now);
    const key = randomBytes(16).toString('base64url');
    this.waiting.set(key, { token, userId, until: now.getTime() + keepMs });
    return key;
  }

  take(key: string | undefined, userId: number, now: Date): NewToken | null {
    this.forgetExpired(now);
    const held = key ? this.waiting.get(key) : undefined;
    if (!held || held.userId !== userId) return null;
    this.waiting.delete(key!);
    return held.token;
  }

  private forgetExpired(now: Date): void {
    for (const [key, held] of this.waiting) if (held.until <= now.getTime()) this.waiting.delete(key);
  }
}
