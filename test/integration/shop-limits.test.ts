import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { ManualClock } from '../../server/lib/clock.js';
import type { TestUser } from './chat-fixtures.js';
import { as, writeOverrides } from './engagement-fixtures.js';
import { fundTo, giftUser, makeAdmin } from './gifts-fixtures.js';
import { bought, refund } from './shop-fixtures.js';

/**
 * Purchased limit extensions take effect where the limit is enforced, for as long as they last:
 * bronze and silver are made tiny by config (1024-byte files, a 6144-byte quota, 1 room) so each
 * limit is reached at once whatever a refund does to the tier; the ManualClock moves past a 30-day
 * expiry.
 */
const KB_IN_MB = 1 / 1024;
const clock = new ManualClock('2026-04-06T08:00:00.000Z');
let srv: TestServer;
let admin: TestUser;

beforeAll(async () => {
  const tiny = { fileSizeMb: KB_IN_MB, storageGb: 6 * KB_IN_MB * KB_IN_MB, roomsMax: 1 };
  const overrides = { tiers: { benefits: { bronze: tiny, silver: tiny } } };
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: writeOverrides(overrides) } });
  admin = await makeAdmin(srv);
});
afterAll(async () => {
  await srv.stop();
});

const DAY = 24 * 3_600_000;

const BASE_BALANCE = 50;

/** A bronze user (balance 50: awards for rooms and uploads keep it under silver's 100). */
async function bronzeBuyer(): Promise<TestUser> {
  const user = await giftUser(srv, 'lim');
  await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...user, api: as(srv, user) }, BASE_BALANCE);
  return user;
}

/** Funds the item's cost and buys it, so the buyer stays bronze after the purchase. */
async function buyAtBronze(user: TestUser, itemId: string): Promise<string> {
  const item = srv.ctx.economy.current.shop.find((i) => i.id === itemId);
  const { balance } = await srv.ctx.ledger.account(user.id);
  await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...user, api: as(srv, user) }, balance + item!.cost);
  return bought(srv, user, itemId);
}

function upload(user: TestUser, size: number) {
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.alloc(size, 7)], { type: 'application/octet-stream' }), 'blob.bin');
  const token = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' });
  return request(srv.url, 'POST', '/api/files', { token, rawBody: fd });
}

const createRoom = (user: TestUser, name: string, visibility: 'public' | 'private' = 'public') => as(srv, user).post('/api/rooms', { name, visibility });

describe('limit extensions', () => {
  it('increase_file_size_50mb lets a bigger file through until it expires', async () => {
    const u = await bronzeBuyer();
    expect((await upload(u, 1500)).body.error.code).toBe('FILE_TOO_LARGE');
    await buyAtBronze(u, 'increase_file_size_50mb');
    expect((await upload(u, 1500)).status).toBe(201);

    clock.advance(30 * DAY - 1000);
    expect((await upload(u, 1100)).status).toBe(201); // 2600 of the 6144-byte quota
    clock.advance(1000);
    const big = await upload(u, 1025);
    expect(big.body.error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 1024 } });
    expect((await upload(u, 400)).status).toBe(201);
  });

  it('extra_5gb_storage raises the quota; a refund ends it at once, and none once it holds bytes (ITEM_USED)', async () => {
    const u = await bronzeBuyer();
    for (let i = 0; i < 6; i += 1) expect((await upload(u, 1024)).status).toBe(201);
    expect((await upload(u, 10)).body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    const id = await buyAtBronze(u, 'extra_5gb_storage');
    const r = await refund(srv, u, id);
    expect(r.body).toMatchObject({ refunded: 100, rule: 'TIMED_FULL' });
    expect((await upload(u, 10)).body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');

    // Issue 9, row 3: bytes stored on the bought quota would outlive a refund: it is refused.
    const again = await buyAtBronze(u, 'extra_5gb_storage');
    expect((await upload(u, 1024)).status).toBe(201);
    const used = await refund(srv, u, again);
    expect(used.status).toBe(409);
    expect(used.body.error).toMatchObject({ code: 'ITEM_USED', details: { produced: 'storage', usedBytes: 7 * 1024, quotaBytesWithout: 6 * 1024 } });
  });

  it('unlimited_rooms lifts rooms_max while it lasts', async () => {
    const u = await bronzeBuyer();
    expect((await createRoom(u, 'one')).status).toBe(201);
    expect((await createRoom(u, 'two')).body.error.code).toBe('ROOM_LIMIT_REACHED');
    await buyAtBronze(u, 'unlimited_rooms');
    const owned = await as(srv, u).get(`/api/shop/owned/${u.id}`);
    expect(owned.body.active.map((p: { itemId: string }) => p.itemId)).toContain('unlimited_rooms');
    expect((await createRoom(u, 'two')).status).toBe(201);
    expect((await createRoom(u, 'three')).status).toBe(201);
    clock.advance(30 * DAY);
    expect((await createRoom(u, 'four')).body.error.code).toBe('ROOM_LIMIT_REACHED');
  });

  it('private_room_create lets a bronze user create one private room; a refused room does not use it', async () => {
    const u = await bronzeBuyer();
    expect((await createRoom(u, 'p0', 'private')).body.error.code).toBe('PRIVATE_ROOMS_NOT_ALLOWED');
    await buyAtBronze(u, 'private_room_create');
    expect((await createRoom(u, 'p1', 'private')).status).toBe(201);
    expect((await createRoom(u, 'p2', 'private')).body.error.code).toBe('PRIVATE_ROOMS_NOT_ALLOWED');
  });
});
