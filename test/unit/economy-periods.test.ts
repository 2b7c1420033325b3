import { describe, expect, it } from 'vitest';
import { isoWeekEndMs, isoWeekKey, isUtcWeekend, utcDayEndMs, utcDayKey, utcMonthKey } from '../../server/economy/rules/index.js';

const d = (s: string): Date => new Date(s);

describe('UTC periods', () => {
  it('day key flips at 00:00 UTC whatever the offset of the input', () => {
    expect(utcDayKey(d('2026-01-04T23:59:59.999Z'))).toBe('2026-01-04');
    expect(utcDayKey(d('2026-01-05T00:00:00.000Z'))).toBe('2026-01-05');
    expect(utcDayKey(d('2026-01-05T01:30:00+02:00'))).toBe('2026-01-04');
    expect(utcDayEndMs(d('2026-01-04T10:00:00Z'))).toBe(Date.parse('2026-01-05T00:00:00Z'));
  });

  it('ISO week flips between Sunday 23:59:59Z and Monday 00:00Z', () => {
    expect(isoWeekKey(d('2026-01-11T23:59:59Z'))).toBe('2026-W02');
    expect(isoWeekKey(d('2026-01-12T00:00:00Z'))).toBe('2026-W03');
    expect(isoWeekEndMs(d('2026-01-11T23:59:59Z'))).toBe(Date.parse('2026-01-12T00:00:00Z'));
    expect(isoWeekEndMs(d('2026-01-12T00:00:00Z'))).toBe(Date.parse('2026-01-19T00:00:00Z'));
  });

  it('ISO weeks across year boundaries', () => {
    // 2026-01-01 is a Thursday: week 1 of 2026 starts Monday 2025-12-29.
    expect(isoWeekKey(d('2025-12-28T23:59:59Z'))).toBe('2025-W52');
    expect(isoWeekKey(d('2025-12-29T00:00:00Z'))).toBe('2026-W01');
    expect(isoWeekKey(d('2026-01-01T12:00:00Z'))).toBe('2026-W01');
    // 2026 has 53 weeks; 2027-01-01 (Friday) and 2027-01-03 (Sunday) still belong to 2026-W53.
    expect(isoWeekKey(d('2026-12-31T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(d('2027-01-03T23:59:59Z'))).toBe('2026-W53');
    expect(isoWeekKey(d('2027-01-04T00:00:00Z'))).toBe('2027-W01');
    expect(isoWeekKey(d('2021-01-03T00:00:00Z'))).toBe('2020-W53');
  });

  it('month key and weekend are UTC', () => {
    expect(utcMonthKey(d('2026-01-31T23:59:59Z'))).toBe('2026-01');
    expect(utcMonthKey(d('2026-02-01T00:00:00Z'))).toBe('2026-02');
    expect(isUtcWeekend(d('2026-01-09T23:59:59Z'))).toBe(false); // Friday
    expect(isUtcWeekend(d('2026-01-10T00:00:00Z'))).toBe(true); // Saturday
    expect(isUtcWeekend(d('2026-01-11T23:59:59Z'))).toBe(true); // Sunday
    expect(isUtcWeekend(d('2026-01-12T00:00:00Z'))).toBe(false); // Monday
  });
});
