import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { ManualClock } from '../../server/lib/clock.js';
import type { TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { giftUser, makeAdmin, overridesFile } from './gifts-fixtures.js';
import { bought, refund } from './shop-fixtures.js';

/**
 * Issue 9, row 3: a timed item bought, used, and refunded 100 % within the hour kept what it
 * produced. Now the refund quote says ITEM_USED as soon as the item produced something that would
 * outlive it, and the refund is refused with that code: the rooms and the file stay paid for.
 * Everyone is bronze here (thresholds out of reach), with 2 rooms and 1 MB files.
 */
const clock = new ManualClock('2026-05-04T10:00:00.000Z');
let srv: TestServer;
let admin: TestUser;

beforeAll(async () => {
  const overrides = {
    tiers: { thresholds: { silver: 100_000, gold: 200_000, platinum: 300_000 }, benefits: { bronze: { roomsMax: 2, fileSizeMb: 1 } } },
  };
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: overridesFile(overrides) } });
  admin = await makeAdmin(srv);
});
afterAll(async () => {
  await srv.stop();
});

const quote = async (user: TestUser, purchaseId: string) => {
  const res = await as(srv, user).get(`/api/shop/purchases/${purchaseId}/refund`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const newRoom = (user: TestUser, name: string) => as(srv, user).post('/api/rooms', { name, visibility: 'public' });
const upload = (user: TestUser, bytes: number) => {
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.alloc(bytes, 7)], { type: 'application/octet-stream' }), 'big.bin');
  return request(srv.url, 'POST', '/api/files', { token: user.token, rawBody: fd });
};
const balance = async (user: TestUser) => (await srv.ctx.ledger.account(user.id)).balance;

describe('refunds never leave value behind', () => {
  it('unlimited_rooms: unused it refunds in full; once a room over the tier limit exists, ITEM_USED, quoted first', async () => {
    const u = await giftUser(srv, 'rooms', { admin, balance: 1000 });
    const unused = await bought(srv, u, 'unlimited_rooms');
    expect(await quote(u, unused)).toMatchObject({ refundable: true, rule: 'TIMED_FULL', percent: 100, amount: 200 });
    expect((await refund(srv, u, unused)).status).toBe(200);

    const p = await bought(srv, u, 'unlimited_rooms');
    for (const name of ['a', 'b']) expect((await newRoom(u, name)).status).toBe(201);
    // Within the tier's 2 rooms the item has produced nothing yet.
    expect(await quote(u, p)).toMatchObject({ refundable: true, rule: 'TIMED_FULL' });
    expect((await newRoom(u, 'c')).status).toBe(201); // only thanks to the item
    expect(await quote(u, p)).toMatchObject({ refundable: false, rule: 'ITEM_USED', amount: 0, produced: { produced: 'rooms', owned: 3, roomsMaxWithout: 2 } });

    const before = await balance(u);
    const res = await refund(srv, u, p);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'ITEM_USED', details: { produced: 'rooms', owned: 3, roomsMaxWithout: 2 } });
    expect(await balance(u)).toBe(before);
    expect((await srv.ctx.purchases.findById(p))?.refundedAt).toBeNull();
  });

  it('increase_file_size_50mb: a file over the tier size uploaded with it makes the refund ITEM_USED', async () => {
    const u = await giftUser(srv, 'files', { admin, balance: 1000 });
    expect((await upload(u, 1.5 * 1024 * 1024)).status).toBe(413); // bronze: 1 MB
    const p = await bought(srv, u, 'increase_file_size_50mb');
    expect((await upload(u, 512 * 1024)).status).toBe(201);
    expect(await quote(u, p)).toMatchObject({ refundable: true });
    expect((await upload(u, 1.5 * 1024 * 1024)).status).toBe(201);
    expect(await quote(u, p)).toMatchObject({ refundable: false, rule: 'ITEM_USED', produced: { produced: 'file', largestBytes: 1.5 * 1024 * 1024, fileBytesMaxWithout: 1024 * 1024 } });
    const res = await refund(srv, u, p);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ITEM_USED');
  });

  it('the quote of a permanent item and of a refunded one say so, and others see no quote', async () => {
    const u = await giftUser(srv, 'perm', { admin, balance: 1000 });
    const other = await giftUser(srv, 'other');
    const frame = await bought(srv, u, 'custom_avatar_frame');
    expect(await quote(u, frame)).toMatchObject({ refundable: false, rule: 'PERMANENT_NO_REFUND', amount: 0 });
    const storage = await bought(srv, u, 'extra_5gb_storage');
    expect((await refund(srv, u, storage)).status).toBe(200);
    expect(await quote(u, storage)).toMatchObject({ refundable: false, rule: 'ALREADY_REFUNDED' });
    expect((await as(srv, other).get(`/api/shop/purchases/${frame}/refund`)).status).toBe(404);
  });
});
