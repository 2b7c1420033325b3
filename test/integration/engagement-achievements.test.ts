import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { as, balanceOf, claimDaily, day } from './engagement-fixtures.js';
import { METRIC_REFRESH_MS } from '../../server/engagement/metric-estimate.js';

/** Achievements over real sockets and HTTP: unlocked by activity, pushed, claimed exactly once. */
const clock = new ManualClock(day('2026-01-05'));
let srv: TestServer;
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ clock });
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

describe('message count reads', () => {
  it('reads the message count (and lifetime earned) from the stores only when an achievement can be reached, or after the refresh interval', async () => {
    const u = await registerUser(srv, 'cnt');
    const s = await pool.open(srv, u);
    const room = await createRoom(u);
    await joinRoom(s, room.id);
    const count = vi.spyOn(srv.ctx.stores.messages, 'countByAuthor');
    try {
      const send = async (n: number) => {
        const ack = await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: `c${n}`, body: `hello ${n}` });
        expect(ack).toMatchObject({ ok: true, data: { award: { granted: expect.any(Number) } } });
        if (ack.ok) expect(ack.data.award?.granted).toBeGreaterThan(0);
      };
      const unlocked = waitFor(s, 'achievement:unlocked', (e) => e.achievementId === 'first_message');
      await send(1);
      await unlocked;
      expect(count).toHaveBeenCalledTimes(1);
      const account = vi.spyOn(srv.ctx.ledger, 'account');
      try {
        for (let n = 2; n <= 5; n++) await send(n);
        // Nor the ledger account behind lifetimeEarned: these awards cannot reach its next threshold.
        expect(account).not.toHaveBeenCalled();
      } finally {
        account.mockRestore();
      }
      expect(count).toHaveBeenCalledTimes(1);
      clock.advance(METRIC_REFRESH_MS);
      await send(6);
      expect(count).toHaveBeenCalledTimes(2);
      expect(await count.mock.results[1]?.value).toBe(6);
    } finally {
      count.mockRestore();
    }
  });
});

describe('unlocking', () => {
  it('the first message unlocks first_message: pushed to every socket of the user, stored as a notification, claimable once', async () => {
    const u = await registerUser(srv, 'ach');
    const [s1, s2] = [await pool.open(srv, u), await pool.open(srv, u)];
    const room = await createRoom(u);
    await joinRoom(s1, room.id);
    const pushes = Promise.all([s1, s2].map((s) => waitFor(s, 'achievement:unlocked', (e) => e.achievementId === 'first_message')));
    const sent = await emitAck(s1, 'message:send', { roomId: room.id, clientMessageId: 'm1', body: 'hello' });
    expect(sent.ok).toBe(true);
    for (const e of await pushes) expect(e).toEqual({ achievementId: 'first_message', name: 'Hello, world', reward: 5 });

    const notes = await srv.ctx.stores.notifications.list(u.id, { unreadOnly: false, limit: 50 });
    expect(notes.items.filter((n) => n.type === 'achievement').map((n) => n.data['achievementId']).sort()).toEqual(['first_message', 'first_room']);

    const view = await u.api.get(`/api/achievements/user/${u.id}`);
    expect(view.status).toBe(200);
    const first = view.body.achievements.find((a: { id: string }) => a.id === 'first_message');
    expect(first).toMatchObject({ unlocked: true, claimed: false, value: 1, threshold: 1, reward: 5, claimedAt: null });
    expect(view.body.achievements.find((a: { id: string }) => a.id === 'first_100_messages')).toMatchObject({ unlocked: false, value: 1, threshold: 100 });

    const before = await balanceOf(srv, u);
    const claimed = await u.api.post('/api/achievements/claim', { achievementId: 'first_message' });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toMatchObject({ achievementId: 'first_message', reward: 5, balance: before + 5 });
    const again = await u.api.post('/api/achievements/claim', { achievementId: 'first_message' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_CLAIMED');
    expect(await balanceOf(srv, u)).toBe(before + 5);
    const after = await u.api.get(`/api/achievements/user/${u.id}`);
    expect(after.body.achievements.find((a: { id: string }) => a.id === 'first_message')).toMatchObject({ claimed: true, claimedAt: clock.now().toISOString() });
  });

  it('concurrent claims of one achievement pay once; the reward is an earn entry under earn:achievement:<user>:<id>', async () => {
    const u = await registerUser(srv, 'race');
    await createRoom(u); // first_room
    const before = await balanceOf(srv, u);
    const results = await Promise.all(Array.from({ length: 8 }, () => u.api.post('/api/achievements/claim', { achievementId: 'first_room' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(await balanceOf(srv, u)).toBe(before + 10);
    const entry = await srv.ctx.ledger.findByIdempotencyKey(`earn:achievement:${u.id}:first_room`);
    expect(entry).toMatchObject({ kind: 'earn', activity: 'achievement', metadata: { achievementId: 'first_room' } });
  });

  it('joined_10_rooms counts first joins only (re-joining a room does not count twice)', async () => {
    const owner = await registerUser(srv, 'own');
    const rooms = [];
    for (let i = 0; i < 10; i++) rooms.push(await createRoom(owner, 'public', `r${i}`));
    const u = await registerUser(srv, 'joiner');
    const s = await pool.open(srv, u);
    for (const r of rooms.slice(0, 9)) await joinRoom(s, r.id);
    await emitAck(s, 'room:leave', { roomId: rooms[0]!.id });
    await joinRoom(s, rooms[0]!.id);
    let view = await u.api.get(`/api/achievements/user/${u.id}`);
    expect(view.body.achievements.find((a: { id: string }) => a.id === 'joined_10_rooms')).toMatchObject({ value: 9, unlocked: false });
    const pushed = waitFor(s, 'achievement:unlocked', (e) => e.achievementId === 'joined_10_rooms');
    await joinRoom(s, rooms[9]!.id);
    expect(await pushed).toMatchObject({ name: 'Explorer', reward: 25 });
    view = await u.api.get(`/api/achievements/user/${u.id}`);
    expect(view.body.achievements.find((a: { id: string }) => a.id === 'joined_10_rooms')).toMatchObject({ value: 10, unlocked: true });
  });

  it('streak_7_days unlocks on the seventh consecutive daily claim', async () => {
    const u = await registerUser(srv, 'streak');
    for (let d = 10; d <= 16; d++) {
      clock.set(day(`2026-02-${d}`));
      expect((await claimDaily(srv, u)).status).toBe(200);
      const view = await as(srv, u).get(`/api/achievements/user/${u.id}`);
      expect(view.body.achievements.find((a: { id: string }) => a.id === 'streak_7_days').unlocked).toBe(d === 16);
    }
    expect((await as(srv, u).post('/api/achievements/claim', { achievementId: 'streak_7_days' })).body.reward).toBe(50);
  });
});

describe('routes and errors', () => {
  it('lists at least 15 configured achievements, with the seed three', async () => {
    const u = await registerUser(srv, 'list');
    const res = await as(srv, u).get('/api/achievements/list');
    expect(res.status).toBe(200);
    expect(res.body.achievements.length).toBeGreaterThanOrEqual(15);
    expect(res.body.achievements.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(['first_100_messages', 'first_50_files', 'created_10_rooms']));
    expect(res.body.achievements[0]).toEqual({ id: 'first_message', name: 'Hello, world', description: 'Send your first message', metric: 'messagesSent', threshold: 1, reward: 5 });
  });

  it('claim refuses unknown, locked and malformed; another user cannot claim mine', async () => {
    const u = await registerUser(srv, 'err');
    const api = as(srv, u);
    expect((await api.post('/api/achievements/claim', { achievementId: 'no_such' })).body.error.code).toBe('ACHIEVEMENT_NOT_FOUND');
    const locked = await api.post('/api/achievements/claim', { achievementId: 'first_100_messages' });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('ACHIEVEMENT_LOCKED');
    expect((await api.post('/api/achievements/claim', {})).body.error.code).toBe('VALIDATION_FAILED');
    expect((await api.post('/api/achievements/claim', { achievementId: 7 })).status).toBe(400);
    await createRoom({ ...u, api }); // first_room unlocked for u only
    const other = await registerUser(srv, 'oth');
    expect((await as(srv, other).post('/api/achievements/claim', { achievementId: 'first_room' })).body.error.code).toBe('ACHIEVEMENT_LOCKED');
  });

  it('a user\'s achievements are public to signed-in users; unknown user 404; authentication required', async () => {
    const u = await registerUser(srv, 'pub');
    await createRoom({ ...u, api: as(srv, u) });
    const viewer = await registerUser(srv, 'view');
    const res = await as(srv, viewer).get(`/api/achievements/user/${u.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: u.id, unlocked: 1, claimed: 0 });
    expect((await as(srv, viewer).get('/api/achievements/user/01NOPE')).status).toBe(404);
    expect((await client(srv.url).get(`/api/achievements/user/${u.id}`)).status).toBe(401);
    expect((await client(srv.url).get('/api/achievements/list')).status).toBe(401);
    expect((await client(srv.url).post('/api/achievements/claim', { achievementId: 'first_room' })).status).toBe(401);
  });
});
