import { describe, expect, it } from 'vitest';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import { giftableTokens, linkedAccounts, peerRefusal, roomRewardsOpening, senderGiftAllowance, vestingSince, type PeerAccount } from '../../server/economy/rules/index.js';
import { lastingProduct, type UsageAgainstLimits } from '../../server/shop/lasting-effects.js';
import { observedWindowDays } from '../../server/insights/analytics.js';

/** The pure rules of issue 9 (economy integrity), with the clock passed in. */
const current = loadEconomyConfig();
const recommended = loadEconomyConfig({ preset: 'recommended' });
const at = new Date('2026-06-10T12:00:00.000Z');
const HOUR = 3_600_000;

const account = (id: string, over: Partial<PeerAccount> = {}): PeerAccount => ({ id, invitedBy: null, registrationIp: '10.0.0.1', bannedAt: null, createdAt: new Date(at.getTime() - 48 * HOUR), ...over });

describe('independent peers', () => {
  const policy = recommended.peerAwards;
  const judge = (author: PeerAccount, peer: PeerAccount, messagesSent = 10, linkByAddress = true) => peerRefusal(author, peer, { policy, linkByAddress, at, messagesSent });

  it('links invitee and inviter always, the same address only when that rule is on', () => {
    const a = account('a');
    expect(linkedAccounts(a, account('b', { invitedBy: 'a', registrationIp: '10.0.0.2' }), false)).toBe(true);
    expect(linkedAccounts(account('b', { invitedBy: 'x' }), a, false)).toBe(false);
    expect(linkedAccounts(a, account('c'), true)).toBe(true);
    expect(linkedAccounts(a, account('c'), false)).toBe(false);
    expect(linkedAccounts(account('n', { registrationIp: null }), account('m', { registrationIp: null }), true)).toBe(false);
  });

  it('refuses self, banned, linked, too new and too quiet peers, in that order', () => {
    const author = account('a', { registrationIp: '10.0.0.9' });
    expect(judge(author, author)).toBe('SELF');
    expect(judge(author, account('b', { bannedAt: at }))).toBe('BANNED');
    expect(judge(author, account('b', { invitedBy: 'a' }))).toBe('LINKED');
    expect(judge(author, account('b', { createdAt: new Date(at.getTime() - 23 * HOUR) }))).toBe('TOO_NEW');
    expect(judge(author, account('b'), policy.minMessagesSent - 1)).toBe('TOO_QUIET');
    expect(judge(author, account('b'), policy.minMessagesSent)).toBeNull();
    expect(peerRefusal(author, account('b', { invitedBy: 'a' }), { policy: { ...policy, excludeLinkedAccounts: false }, linkByAddress: true, at, messagesSent: 10 })).toBeNull();
  });
});

describe('room reward opening', () => {
  it('opens at once in "current" and after 24 h with 3 independent members in "recommended"', () => {
    expect(roomRewardsOpening({ roomCreatedAt: at, at, activeMembers: 0 }, current).open).toBe(true);
    const young = roomRewardsOpening({ roomCreatedAt: new Date(at.getTime() - 23.5 * HOUR), at, activeMembers: 5 }, recommended);
    expect(young).toEqual({ open: false, ageHours: 23, minAgeHours: 24, activeMembers: 5, minActiveMembers: 3 });
    expect(roomRewardsOpening({ roomCreatedAt: new Date(at.getTime() - 24 * HOUR), at, activeMembers: 2 }, recommended).open).toBe(false);
    expect(roomRewardsOpening({ roomCreatedAt: new Date(at.getTime() - 24 * HOUR), at, activeMembers: 3 }, recommended).open).toBe(true);
  });
});

describe('vesting and the new-account allowance', () => {
  it('keeps received tokens out of what may be gifted, never below zero', () => {
    expect(giftableTokens(100, 40)).toBe(60);
    expect(giftableTokens(30, 40)).toBe(0);
    expect(giftableTokens(30, -5)).toBe(30);
    expect(vestingSince(at, current)).toBeNull();
    expect(vestingSince(at, recommended)).toEqual(new Date(at.getTime() - 72 * HOUR));
  });

  it('lowers a young account to newAccountDailyTokens whatever its tier, and never raises one', () => {
    const young = new Date(at.getTime() - 6 * 24 * HOUR);
    const old = new Date(at.getTime() - 7 * 24 * HOUR);
    expect(senderGiftAllowance('platinum', young, at, recommended)).toEqual({ tokens: 20, newAccount: true });
    expect(senderGiftAllowance('platinum', old, at, recommended)).toEqual({ tokens: null, newAccount: false });
    expect(senderGiftAllowance('bronze', young, at, { ...recommended, gifts: { ...recommended.gifts, newAccountDailyTokens: 500 } })).toEqual({ tokens: 50, newAccount: false });
    expect(senderGiftAllowance('gold', young, at, current)).toEqual({ tokens: 500, newAccount: false });
  });
});

describe('lasting products of a refund', () => {
  const usage: UsageAgainstLimits = { roomsOwned: 2, roomsMaxWithout: 2, largestBytesSince: 100, fileBytesMaxWithout: 100, usedBytes: 10, quotaBytesWithout: 10 };
  it('judges only the limits the item lifted', () => {
    expect(lastingProduct('unlimitedRooms', usage)).toBeNull();
    expect(lastingProduct('unlimitedRooms', { ...usage, roomsOwned: 3 })).toEqual({ produced: 'rooms', owned: 3, roomsMaxWithout: 2 });
    expect(lastingProduct('unlimitedRooms', { ...usage, roomsOwned: 3, roomsMaxWithout: null })).toBeNull();
    expect(lastingProduct('unlimitedRooms', { ...usage, largestBytesSince: 101 })).toBeNull();
    expect(lastingProduct('fileSizeMb', { ...usage, largestBytesSince: 101 })).toEqual({ produced: 'file', largestBytes: 101, fileBytesMaxWithout: 100 });
    expect(lastingProduct('storageGb', { ...usage, usedBytes: 11 })).toEqual({ produced: 'storage', usedBytes: 11, quotaBytesWithout: 10 });
    expect(lastingProduct('tierUpgrade', { ...usage, usedBytes: 11 })).toMatchObject({ produced: 'storage' });
    expect(lastingProduct('cosmetic', { ...usage, roomsOwned: 99 })).toBeNull();
  });
});

describe('observed days of the per-user window', () => {
  it('is the journal age between one and seven days', () => {
    expect(observedWindowDays(null, at)).toBe(1);
    expect(observedWindowDays(new Date(at.getTime() - 2 * HOUR), at)).toBe(1);
    expect(observedWindowDays(new Date(at.getTime() - 60 * HOUR), at)).toBe(2.5);
    expect(observedWindowDays(new Date(at.getTime() - 30 * 24 * HOUR), at)).toBe(7);
  });
});

describe('referrals as peer-triggered awards', () => {
  it('wait until the invitee is peerAwards.minAccountAgeHours old (not final), then pay', async () => {
    const { referralEligibility } = await import('../../server/economy/rules/referral.js');
    const facts = { inviterId: 'a', inviteeId: 'b', inviterAddress: '10.0.0.1', inviteeAddress: '10.0.0.2', inviteeMessagesSent: 9, inviteeDailyLoginsClaimed: 0, alreadyPaid: false };
    const registered = new Date(at.getTime() - 23 * HOUR);
    expect(referralEligibility({ ...facts, inviteeRegisteredAt: registered }, at, recommended)).toEqual({ eligible: false, reason: 'TOO_NEW' });
    expect(referralEligibility({ ...facts, inviteeRegisteredAt: registered }, new Date(at.getTime() + HOUR), recommended)).toEqual({ eligible: true });
    expect(referralEligibility({ ...facts, inviteeRegisteredAt: registered }, at, current)).toEqual({ eligible: true });
  });
});
