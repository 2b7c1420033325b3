import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { connect, emitAck, type TestSocket } from '../support/socket.js';
import { PASSWORD, createRoom, registerUser, uname, type TestUser } from './chat-fixtures.js';
import { PLAIN_MULTIPLIERS, as, balanceOf, claimDaily, day, registerFrom, writeOverrides } from './engagement-fixtures.js';

/**
 * invite_friend over real HTTP and sockets. Accounts register from different loopback source
 * addresses (127.0.0.1 / 127.0.0.2) so the same-address rule can be tested both ways.
 */
const clock = new ManualClock(day('2026-01-05'));
let srv: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: writeOverrides(PLAIN_MULTIPLIERS) } });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await srv.stop();
});

async function inviteCodeOf(user: TestUser): Promise<string> {
  const me = await as(srv, user).get('/api/users/me');
  return me.body.user.inviteCode as string;
}

/** Sends `n` messages as `user` into a room of their own. */
async function sendMessages(user: TestUser, n: number, tag: string): Promise<void> {
  const api = as(srv, user);
  const room = await createRoom({ ...user, api }, 'public', `room-${tag}`);
  const s = await connect(srv.url, srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' }));
  sockets.push(s);
  for (let i = 0; i < n; i++) {
    const ack = await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: `${tag}-${i}`, body: `m${i}` });
    expect(ack.ok).toBe(true);
  }
}

const inviteAwards = async (inviter: TestUser) => {
  const history = await as(srv, inviter).get(`/api/tokens/history/${inviter.id}?limit=100`);
  return history.body.items.filter((e: { activity: string }) => e.activity === 'invite_friend');
};

describe('invite_friend', () => {
  it('pays the inviter once, when the invitee sends the 5th message (active), from another address', async () => {
    clock.set(day('2026-01-05'));
    const inviter = await registerFrom(srv, '127.0.0.1', {}, 'inv');
    const invitee = await registerFrom(srv, '127.0.0.2', { inviteCode: await inviteCodeOf(inviter) }, 'new');
    const start = await balanceOf(srv, inviter);
    await sendMessages(invitee, 4, 'a');
    expect(await inviteAwards(inviter)).toHaveLength(0);
    await sendMessages(invitee, 1, 'b');
    const paid = await inviteAwards(inviter);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ amount: 25 });
    expect(await balanceOf(srv, inviter)).toBe(start + 25);
    await sendMessages(invitee, 3, 'c');
    expect(await inviteAwards(inviter)).toHaveLength(1);
    expect(await srv.ctx.engagement.achievements.viewFor(inviter.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'invited_3_friends', value: 1, unlocked: false })]),
    );
  });

  it('one daily claim within 30 days makes the invitee active', async () => {
    clock.set(day('2026-02-01'));
    const inviter = await registerFrom(srv, '127.0.0.1', {}, 'inv');
    const invitee = await registerFrom(srv, '127.0.0.3', { inviteCode: await inviteCodeOf(inviter) }, 'new');
    clock.set(day('2026-03-02')); // 29 days later
    expect((await claimDaily(srv, invitee)).status).toBe(200);
    expect(await inviteAwards(inviter)).toHaveLength(1);
    expect((await srv.ctx.engagement.store.referral(invitee.id))?.status).toBe('paid');
  });

  it('refuses an invitee registered from the inviter\'s address, for good', async () => {
    clock.set(day('2026-04-01'));
    const inviter = await registerFrom(srv, '127.0.0.1', {}, 'inv');
    const invitee = await registerFrom(srv, '127.0.0.1', { inviteCode: await inviteCodeOf(inviter) }, 'same');
    await sendMessages(invitee, 5, 'same');
    expect((await claimDaily(srv, invitee)).status).toBe(200);
    expect(await inviteAwards(inviter)).toHaveLength(0);
    expect(await srv.ctx.engagement.store.referral(invitee.id)).toMatchObject({ status: 'refused', reason: 'SAME_ADDRESS', inviterId: inviter.id });
  });

  it('refuses an invitee who becomes active more than 30 days after registering', async () => {
    clock.set(day('2026-05-01'));
    const inviter = await registerFrom(srv, '127.0.0.1', {}, 'inv');
    const invitee = await registerFrom(srv, '127.0.0.4', { inviteCode: await inviteCodeOf(inviter) }, 'late');
    clock.set(day('2026-06-01')); // 31 days later
    expect((await claimDaily(srv, invitee)).status).toBe(200);
    expect(await inviteAwards(inviter)).toHaveLength(0);
    expect(await srv.ctx.engagement.store.referral(invitee.id)).toMatchObject({ status: 'refused', reason: 'ACTIVE_TOO_LATE' });
  });

  it('a self-invite cannot happen: a code names an existing account and a bad code is refused', async () => {
    const res = await client(srv.url).post('/api/auth/register', { username: uname('self'), password: PASSWORD, inviteCode: 'not-a-real-code' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVITE_CODE_INVALID');
    // An account without an inviter is settled nowhere and never pays anyone.
    const plain = await registerUser(srv, 'plain');
    expect((await claimDaily(srv, plain)).status).toBe(200);
    expect(await srv.ctx.engagement.store.referral(plain.id)).toBeNull();
    // Even an account that names itself as inviter (impossible through registration) is refused.
    const id = srv.ctx.newId();
    await srv.ctx.stores.users.create({ id, username: uname('selfinv'), passwordHash: 'x', publicKey: null, inviteCode: `c-${id}`, invitedBy: id, registrationIp: '10.0.0.1', createdAt: clock.now() });
    await srv.ctx.engagement.store.saveLogin(id, null, { lastClaimDay: '2026-01-01', streakDays: 1, longestStreakDays: 1, activeMonth: '2026-01', activeMonthDays: 1, monthlyActivePaidFor: null, dailyLoginsClaimed: 1 });
    expect(await srv.ctx.engagement.referrals.check(id)).toBeNull();
    expect(await srv.ctx.engagement.store.referral(id)).toMatchObject({ status: 'refused', reason: 'SELF_INVITE' });
  });
});
