import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { createLoginLimiter } from '../../server/auth/login-limiter.js';

describe('login limiter', () => {
  const opts = { attemptsMax: 3, windowMs: 60_000, entriesMax: 2 };

  it('blocks after attemptsMax failures until the window ends', () => {
    const clock = new ManualClock();
    const limiter = createLoginLimiter(clock, opts);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('Ann', '1.1.1.1')).toBe(0);
      limiter.recordFailure('ann', '1.1.1.1');
    }
    expect(limiter.retryAfterSeconds('ANN', '1.1.1.1')).toBe(60);
    expect(limiter.retryAfterSeconds('ann', '2.2.2.2')).toBe(0);
    clock.advance(59_500);
    expect(limiter.retryAfterSeconds('ann', '1.1.1.1')).toBe(1);
    clock.advance(500);
    expect(limiter.retryAfterSeconds('ann', '1.1.1.1')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const limiter = createLoginLimiter(new ManualClock(), opts);
    for (let i = 0; i < 3; i++) limiter.recordFailure('bob', 'ip');
    limiter.reset('bob', 'ip');
    expect(limiter.retryAfterSeconds('bob', 'ip')).toBe(0);
  });

  it('stays bounded: expired windows are swept, then the oldest entry goes', () => {
    const clock = new ManualClock();
    const limiter = createLoginLimiter(clock, opts);
    for (let i = 0; i < 3; i++) limiter.recordFailure('a', 'ip');
    for (let i = 0; i < 3; i++) limiter.recordFailure('b', 'ip');
    limiter.recordFailure('c', 'ip');
    // 'a' was the oldest entry and made room for 'c'.
    expect(limiter.retryAfterSeconds('a', 'ip')).toBe(0);
    expect(limiter.retryAfterSeconds('b', 'ip')).toBe(60);
  });
});
