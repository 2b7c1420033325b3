import { describe, expect, it } from 'vitest';
import { dailySeries, utcDaysEnding } from '../../server/insights/earnings-over-time.js';

describe('earnings over time (pure layout of per-day sums)', () => {
  it('lists the last N UTC days, oldest first, today last, across a month end', () => {
    expect(utcDaysEnding(new Date('2026-03-01T23:59:59.999Z'), 3)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(utcDaysEnding(new Date('2026-03-02T00:00:00.000Z'), 1)).toEqual(['2026-03-02']);
  });

  it('puts each row on its day, zeros elsewhere, sums totals and ignores days outside the span', () => {
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    const rows = [
      { day: '2026-02-28', activity: 'send_message', total: 99 },
      { day: '2026-03-01', activity: 'send_message', total: 3 },
      { day: '2026-03-03', activity: 'send_message', total: 4 },
      { day: '2026-03-03', activity: 'admin_award', total: 10 },
    ];
    expect(dailySeries(rows, days)).toEqual({
      days,
      byActivity: { send_message: [3, 0, 4], admin_award: [0, 0, 10] },
      totals: [3, 0, 14],
    });
    expect(dailySeries([], days)).toEqual({ days, byActivity: {}, totals: [0, 0, 0] });
  });
});
