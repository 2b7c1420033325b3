import { describe, expect, it } from 'vitest';
import { activityVerdict, decayAmount, isInactive, isSuspended, nextPenaltyStep, penaltyStanding, registrationEligible, suspensionEndMs } from '../../server/economy/rules/abuse.js';
import { currentPreset, recommendedPreset } from '../../server/economy/config/presets.js';
import { loadEconomyConfig } from '../../server/economy/config/load.js';
import { MemoryActivityGuard, contentHash } from '../../server/abuse/activity-guard.js';

const ladder = currentPreset.antiAbuse.penalties;
const HOUR = 3_600_000;

describe('penalty ladder', () => {
  it('takes warning, 24 h suspension, token reset, then ban', () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => nextPenaltyStep(n, false, ladder).action)).toEqual([
      'warning',
      'earning_suspension',
      'token_reset',
      'account_ban',
      'account_ban',
      'account_ban',
    ]);
    expect(nextPenaltyStep(1, false, ladder).durationHours).toBe(24);
  });

  it('severe bans at once, whatever came before', () => {
    expect(nextPenaltyStep(0, true, ladder).action).toBe('account_ban');
    expect(nextPenaltyStep(1, true, ladder).action).toBe('account_ban');
  });

  it('follows a configured ladder (a shorter one ends in its severe step)', () => {
    const short = [
      { offense: 'first' as const, action: 'earning_suspension' as const, durationHours: 2 },
      { offense: 'severe' as const, action: 'account_ban' as const, durationHours: null },
    ];
    expect(nextPenaltyStep(0, false, short)).toEqual(short[0]);
    expect(nextPenaltyStep(1, false, short).action).toBe('account_ban');
  });

  it('a suspension ends durationHours later; other steps have no end', () => {
    expect(suspensionEndMs(nextPenaltyStep(1, false, ladder), 1000)).toBe(1000 + 24 * HOUR);
    expect(suspensionEndMs(nextPenaltyStep(0, false, ladder), 1000)).toBeNull();
  });

  it('standing: the latest suspension end and whether a ban stands', () => {
    const s = penaltyStanding([
      { action: 'warning', suspendedUntil: null },
      { action: 'earning_suspension', suspendedUntil: new Date(5000) },
    ]);
    expect(s).toEqual({ suspendedUntilMs: 5000, banned: false });
    expect(isSuspended(s, 4999)).toBe(true);
    expect(isSuspended(s, 5000)).toBe(false);
    expect(penaltyStanding([{ action: 'account_ban', suspendedUntil: null }]).banned).toBe(true);
    expect(isSuspended(penaltyStanding([]), 0)).toBe(false);
  });
});

describe('time-based validation', () => {
  const policy = { minMessageIntervalMs: 1000, duplicateWindowMs: 60_000 };

  it('TOO_FAST inside the minimum interval, fine at it', () => {
    expect(activityVerdict({ lastMessageMs: 10_000, sameContentMs: null }, 10_999, policy)).toBe('TOO_FAST');
    expect(activityVerdict({ lastMessageMs: 10_000, sameContentMs: null }, 11_000, policy)).toBeNull();
    expect(activityVerdict({ lastMessageMs: null, sameContentMs: null }, 0, policy)).toBeNull();
  });

  it('DUPLICATE_CONTENT inside the window, fine after it', () => {
    expect(activityVerdict({ lastMessageMs: null, sameContentMs: 0 }, 59_999, policy)).toBe('DUPLICATE_CONTENT');
    expect(activityVerdict({ lastMessageMs: null, sameContentMs: 0 }, 60_000, policy)).toBeNull();
  });

  it('0 turns each check off', () => {
    const off = { minMessageIntervalMs: 0, duplicateWindowMs: 0 };
    expect(activityVerdict({ lastMessageMs: 10, sameContentMs: 10 }, 10, off)).toBeNull();
  });

  it('the in-process guard: a flood keeps earning nothing; a repeated body earns once per window', async () => {
    const guard = new MemoryActivityGuard();
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 5) + ms);
    const check = (content: string, ms: number, userId = 'u1') => guard.check({ userId, content, at: at(ms), policy });
    expect(await check('hello', 0)).toBeNull();
    expect(await check('other', 500)).toBe('TOO_FAST');
    // Measured from the previous message (500), not the previous reward (0).
    expect(await check('other', 1200)).toBe('TOO_FAST');
    expect(await check('other', 2200)).toBeNull();
    expect(await check('hello', 3300)).toBe('DUPLICATE_CONTENT');
    expect(await check('hello', 3300, 'u2')).toBeNull();
    expect(await check('hello', 61_000)).toBeNull();
  });

  it('hashes text and ciphertext alike: identical bytes, identical hash', () => {
    expect(contentHash('aGVsbG8=')).toBe(contentHash('aGVsbG8='));
    expect(contentHash('aGVsbG8=')).not.toBe(contentHash('aGVsbG9='));
  });
});

describe('accounts per IP and decay', () => {
  it('registration is eligible up to the limit, always without one', () => {
    expect(registrationEligible(3, 3)).toBe(true);
    expect(registrationEligible(4, 3)).toBe(false);
    expect(registrationEligible(1000, null)).toBe(true);
  });

  it('inactive after inactiveDays; decay rounds down and never goes below zero', () => {
    const day = 86_400_000;
    expect(isInactive(0, 30 * day, { inactiveDays: 30 })).toBe(false);
    expect(isInactive(0, 30 * day + 1, { inactiveDays: 30 })).toBe(true);
    expect(decayAmount(199, { percentPerWeek: 5 })).toBe(9);
    expect(decayAmount(19, { percentPerWeek: 5 })).toBe(0);
    expect(decayAmount(0, { percentPerWeek: 100 })).toBe(0);
    expect(decayAmount(7, { percentPerWeek: 100 })).toBe(7);
  });
});

describe('anti-abuse config', () => {
  it('current keeps the checks off and decay disabled; recommended turns them on', () => {
    expect(currentPreset.antiAbuse.fakeActivity).toEqual({ minMessageIntervalMs: 0, duplicateWindowMs: 0 });
    expect(currentPreset.antiAbuse.multipleAccounts.accountsPerIpDaily).toBeNull();
    expect(currentPreset.decay.enabled).toBe(false);
    expect(recommendedPreset.antiAbuse.fakeActivity.minMessageIntervalMs).toBeGreaterThan(0);
    expect(recommendedPreset.antiAbuse.multipleAccounts.accountsPerIpDaily).toBe(3);
  });

  it('refuses bad values naming the path', () => {
    expect(() => loadEconomyConfig({ overrides: { decay: { percentPerWeek: 0 } } })).toThrow(/decay\.percentPerWeek/);
    expect(() => loadEconomyConfig({ overrides: { antiAbuse: { fakeActivity: { minMessageIntervalMs: -1 } } } })).toThrow(/minMessageIntervalMs/);
    expect(loadEconomyConfig({ overrides: { antiAbuse: { multipleAccounts: { accountsPerIpDaily: 2 } } } }).antiAbuse.multipleAccounts.accountsPerIpDaily).toBe(2);
  });
});
