import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import { applyMultiplier, computeAward, computeMultiplier, eventMultiplier, MULTIPLIER_SCALE, streakMultiplier } from '../../server/economy/rules/index.js';

const config = loadEconomyConfig();
const weekday = new Date('2026-01-07T12:00:00Z'); // Wednesday

describe('multipliers', () => {
  it('streak steps 3/7/14/30 days', () => {
    expect([0, 2, 3, 6, 7, 13, 14, 29, 30, 365].map((d) => streakMultiplier(d, config))).toEqual([1, 1, 1.1, 1.1, 1.25, 1.25, 1.5, 1.5, 2, 2]);
  });

  it('weekend on UTC Saturday and Sunday; windows [start, end); the highest event wins', () => {
    const c = loadEconomyConfig({
      overrides: {
        multipliers: {
          event: {
            windows: [
              { id: 'nye', kind: 'holiday', name: 'New year', startsAt: '2026-01-09T00:00:00Z', endsAt: '2026-01-11T00:00:00Z' },
              { id: 'launch', kind: 'special_event', name: 'Launch', startsAt: '2026-01-10T12:00:00Z', endsAt: '2026-01-10T13:00:00Z' },
            ],
          },
        },
      },
    });
    expect(eventMultiplier(weekday, c)).toBe(1);
    expect(eventMultiplier(new Date('2026-01-09T00:00:00Z'), c)).toBe(1.5);
    expect(eventMultiplier(new Date('2026-01-10T12:30:00Z'), c)).toBe(2);
    expect(eventMultiplier(new Date('2026-01-10T13:00:00Z'), c)).toBe(1.5);
    expect(eventMultiplier(new Date('2026-01-11T00:00:00Z'), c)).toBe(1.2);
  });

  it('streak × tier × event, exact, bounded by maxCombined', () => {
    const m = computeMultiplier({ streakDays: 3, tier: 'silver', at: new Date('2026-01-10T12:00:00Z') }, config);
    expect(m.combinedScaled).toBe(1_452_000_000); // 1.1 × 1.1 × 1.2
    expect(m.capped).toBe(false);
    const top = computeMultiplier({ streakDays: 30, tier: 'platinum', at: new Date('2026-01-10T12:00:00Z') }, config);
    expect(top.combinedScaled).toBe(3 * MULTIPLIER_SCALE); // 2 × 1.5 × 1.2 = 3.6, bounded at 3
    expect(top.capped).toBe(true);
  });
});

describe('exact carry', () => {
  it('10 awards of 1 at ×1.1 credit exactly 11', () => {
    let carry = 0;
    const credits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = computeAward({ activity: 'send_message', streakDays: 3, tier: 'bronze', at: weekday, carry }, config);
      credits.push(r.credit);
      carry = r.carry;
    }
    expect(credits.reduce((a, b) => a + b, 0)).toBe(11);
    expect(credits).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(carry).toBe(0);
  });

  it('credited sum equals floor of the exact product over any sequence', () => {
    const factor = fc.integer({ min: 1000, max: 3000 }); // thousandths
    fc.assert(
      fc.property(fc.array(fc.record({ base: fc.integer({ min: 0, max: 500 }), s: factor, t: factor, e: factor }), { maxLength: 200 }), (awards) => {
        let carry = 0;
        let credited = 0n;
        let exact = 0n; // in billionths
        for (const a of awards) {
          const m = a.s * a.t * a.e;
          const r = applyMultiplier(a.base, m, carry);
          expect(r.credit).toBeGreaterThanOrEqual(0);
          credited += BigInt(r.credit);
          carry = r.carry;
          exact += BigInt(a.base) * BigInt(m);
        }
        expect(credited).toBe(exact / BigInt(MULTIPLIER_SCALE));
        expect(BigInt(carry)).toBe(exact % BigInt(MULTIPLIER_SCALE));
      }),
    );
  });

  it('refuses malformed inputs instead of drifting', () => {
    expect(() => applyMultiplier(1.5, MULTIPLIER_SCALE, 0)).toThrow(RangeError);
    expect(() => applyMultiplier(1, 1.1, 0)).toThrow(RangeError);
    expect(() => applyMultiplier(1, MULTIPLIER_SCALE, MULTIPLIER_SCALE)).toThrow(RangeError);
  });
});
