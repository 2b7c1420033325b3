import { describe, expect, it } from 'vitest';
import { MetricEstimate } from '../../server/engagement/metric-estimate.js';

const THRESHOLDS = [1, 100, 1000];

describe('MetricEstimate', () => {
  it('stands in for the store only below the next threshold above the last exact count, and while fresh', () => {
    const est = new MetricEstimate(30_000);
    expect(est.usable('u', 0, THRESHOLDS)).toBeNull();
    est.add('u', 1); // no exact count yet: nothing to add to
    expect(est.usable('u', 0, THRESHOLDS)).toBeNull();
    est.exact('u', 97, 0);
    expect(est.usable('u', 10, THRESHOLDS)).toBe(97);
    est.add('u', 1);
    est.add('u', 1);
    expect(est.usable('u', 10, THRESHOLDS)).toBe(99);
    est.add('u', 1);
    // 100 may have been reached: the store must be asked.
    expect(est.usable('u', 10, THRESHOLDS)).toBeNull();
    est.exact('u', 100, 20);
    expect(est.usable('u', 20, THRESHOLDS)).toBe(100);
    expect(est.usable('u', 30_019, THRESHOLDS)).toBe(100);
    expect(est.usable('u', 30_020, THRESHOLDS)).toBeNull();
  });

  it('past the last threshold it never needs the store until the refresh', () => {
    const est = new MetricEstimate(1000);
    est.exact('u', 5000, 0);
    est.add('u', 10);
    expect(est.usable('u', 999, THRESHOLDS)).toBe(5010);
    // A threshold added by a config reload below the exact count: the estimate is still a true lower bound of the count.
    expect(est.usable('u', 999, [...THRESHOLDS, 10_000])).toBe(5010);
    expect(est.usable('other', 0, THRESHOLDS)).toBeNull();
  });
});
