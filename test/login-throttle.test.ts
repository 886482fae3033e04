import { describe, expect, it } from 'vitest';
import { defaultLoginLimits, LoginThrottle } from '../src/auth/login-throttle.ts';

const limits = { ...defaultLoginLimits, accountFailures: 3, sourceFailures: 10, lockMs: 60_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 8, 0, seconds));

describe('the login throttle', () => {
  it('doubles an account lock with every failure after it, up to the maximum', () => {
    const throttle = new LoginThrottle({ ...limits, sourceFailures: 1000, maxLockMs: 240_000 });
    let now = 0;
    const fail = () => throttle.failed(`10.0.0.${now % 200}`, 'clerk', 'clerk', at(now));
    fail();
    fail();
    const locks: number[] = [];
    for (let lock = 0; lock < 5; lock++) {
      const report = fail();
      locks.push(report.accountLocked!.until.getTime() - at(now).getTime());
      now += locks[lock] / 1000;
      expect(throttle.refusal('10.9.9.9', 'clerk', at(now - 1))).toMatchObject({ locked: 'account' });
      expect(throttle.refusal('10.9.9.9', 'clerk', at(now))).toBeNull();
    }
    expect(locks).toEqual([60_000, 120_000, 240_000, 240_000, 240_000]);
  });

  it('starts an account afresh after the right password', () => {
    const throttle = new LoginThrottle(limits);
    throttle.failed('10.0.0.1', 'clerk', 'clerk', at(0));
    throttle.failed('10.0.0.1', 'clerk', 'clerk', at(1));
    throttle.succeeded('clerk');
    expect(throttle.failed('10.0.0.1', 'clerk', 'clerk', at(2)).accountLocked).toBeUndefined();
  });

  it('never forgets a locked address to make room, however many addresses fail', () => {
    const throttle = new LoginThrottle({ ...limits, maxSources: 50 });
    for (let attempt = 0; attempt < limits.sourceFailures; attempt++)
      throttle.failed('10.0.0.1', null, `junk${attempt}`, at(attempt));
    for (let source = 0; source < 500; source++)
      throttle.failed(`10.1.${source >> 8}.${source & 255}`, null, 'x', at(20));
    expect(throttle.refusal('10.0.0.1', null, at(21))).toMatchObject({ locked: 'source' });
  });

  it('reports unknown names of a window as one summary once the window is over', () => {
    const throttle = new LoginThrottle(limits);
    expect(throttle.failed('10.0.0.1', null, 'a', at(0)).unknownSummary).toEqual({
      source: '10.0.0.1',
      attempts: 1,
      names: ['a'],
    });
    expect(throttle.failed('10.0.0.1', null, 'b', at(1)).unknownSummary).toBeUndefined();
    expect(throttle.failed('10.0.0.1', null, 'c', at(2)).unknownSummary).toBeUndefined();
    expect(throttle.dueSummaries(at(3))).toEqual([]);
    const afterWindow = new Date(at(2).getTime() + limits.windowMs + 1000);
    expect(throttle.dueSummaries(afterWindow)).toEqual([
      { source: '10.0.0.1', attempts: 2, names: ['b', 'c'] },
    ]);
  });
});
