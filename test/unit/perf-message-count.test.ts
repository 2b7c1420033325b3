import { describe, expect, it } from 'vitest';
import { MessageCountEstimate } from '../../server/engagement/message-count-estimate.js';

const THRESHOLDS = [1, 100, 1000];

describe('MessageCountEstimate', () => {
  it('stands in for the store only below the next threshold above the last exact count, and while fresh', () => {
    const est = new MessageCountEstimate(30_000);
    expect(est.usable('u', 0, THRESHOLDS)).toBeNull();
    est.sent('u'); // no exact count yet: nothing to add to
    expect(est.usable('u', 0, THRESHOLDS)).toBeNull();
    est.exact('u', 97, 0);
    expect(est.usable('u', 10, THRESHOLDS)).toBe(97);
    est.sent('u');
    est.sent('u');
    expect(est.usable('u', 10, THRESHOLDS)).toBe(99);
    est.sent('u');
    // 100 may have been reached: the store must be asked.
    expect(est.usable('u', 10, THRESHOLDS)).toBeNull();
    est.exact('u', 100, 20);
    expect(est.usable('u', 20, THRESHOLDS)).toBe(100);
    expect(est.usable('u', 30_019, THRESHOLDS)).toBe(100);
    expect(est.usable('u', 30_020, THRESHOLDS)).toBeNull();
  });

  it('past the last threshold it never needs the store until the refresh', () => {
    const est = new MessageCountEstimate(1000);
    est.exact('u', 5000, 0);
    for (let i = 0; i < 10; i++) est.sent('u');
    expect(est.usable('u', 999, THRESHOLDS)).toBe(5010);
    // A threshold added by a config reload below the exact count: the estimate is still a true lower bound of the count.
    expect(est.usable('u', 999, [...THRESHOLDS, 10_000])).toBe(5010);
    expect(est.usable('other', 0, THRESHOLDS)).toBeNull();
  });
});
