import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { fund, registerAdmin, writeOverrides } from './engagement-fixtures.js';

/**
 * Tiers over real HTTP, sockets and SQLite: the tier endpoint, badges in summaries, and every
 * enforced benefit. Bronze limits are made tiny by config so the limits are reached quickly:
 * 1024-byte files, a 3072-byte quota, 2 rooms; silver allows 2048-byte files.
 */
const KB_IN_MB = 1 / 1024;
const overrides = {
  tiers: {
    benefits: {
      bronze: { fileSizeMb: KB_IN_MB, storageGb: 3 * KB_IN_MB * KB_IN_MB, roomsMax: 2 },
      silver: { fileSizeMb: 2 * KB_IN_MB },
    },
  },
};
let srv: TestServer;
let admin: TestUser;
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ env: { ECONOMY_OVERRIDES_FILE: writeOverrides(overrides), ADMIN_USERNAMES: 'adm_tiers' } });
  admin = await registerAdmin(srv, 'adm_tiers');
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

function upload(user: TestUser, size: number) {
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.alloc(size, 7)], { type: 'application/octet-stream' }), 'blob.bin');
  return request(srv.url, 'POST', '/api/files', { token: user.token, rawBody: fd });
}

describe('GET /api/tokens/tier/:id', () => {
  it('gives tier, badge, benefits and progress; others see tier and badge only', async () => {
    const u = await registerUser(srv, 'tier'); // registration pays 10
    const self = await u.api.get(`/api/tokens/tier/${u.id}`);
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ userId: u.id, tier: 'bronze', badge: '🥉', basis: 'lifetimeEarned', amount: 10, next: 'silver', nextThreshold: 100, remaining: 90, progress: 0.1 });
    expect(self.body.benefits).toMatchObject({ roomsMax: 2, giftLimitDaily: 50, features: { privateRooms: false } });

    await fund(admin, u.id, 140);
    const silver = await u.api.get(`/api/tokens/tier/${u.id}`);
    expect(silver.body).toMatchObject({ tier: 'silver', badge: '🥈', amount: 150, next: 'gold', nextThreshold: 500, remaining: 350, progress: 0.125 });

    const other = await registerUser(srv, 'peek');
    const seen = await other.api.get(`/api/tokens/tier/${u.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ userId: u.id, tier: 'silver', badge: '🥈' });
    expect(seen.body.amount).toBeUndefined();
    expect(seen.body.progress).toBeUndefined();
    expect((await admin.api.get(`/api/tokens/tier/${u.id}`)).body.amount).toBe(150);

    await fund(admin, u.id, 900);
    expect((await u.api.get(`/api/tokens/tier/${u.id}`)).body).toMatchObject({ tier: 'platinum', badge: '💎', next: null, nextThreshold: null, remaining: 0, progress: 1 });
  });

  it('404 for an unknown user, 401 without a token', async () => {
    const u = await registerUser(srv, 'tier404');
    expect((await u.api.get('/api/tokens/tier/01UNKNOWN')).body.error.code).toBe('USER_NOT_FOUND');
    expect((await client(srv.url).get(`/api/tokens/tier/${u.id}`)).status).toBe(401);
  });
});

describe('badges in summaries', () => {
  it('members and message authors carry their tier and badge', async () => {
    const owner = await registerUser(srv, 'badge');
    await fund(admin, owner.id, 600); // gold
    const room = await createRoom(owner);
    const members = await owner.api.get(`/api/rooms/${room.id}/members`);
    expect(members.body.members[0].user).toMatchObject({ id: owner.id, tier: 'gold', badge: '🥇' });
    const s = await pool.open(srv, owner);
    await joinRoom(s, room.id);
    const sent = await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: 'b1', body: 'hi' });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    expect(sent.data.message.author).toMatchObject({ tier: 'gold', badge: '🥇' });
  });
});

describe('enforced benefits', () => {
  it('rooms_max: a bronze user owns at most 2 rooms', async () => {
    const u = await registerUser(srv, 'rooms');
    await createRoom(u, 'public', 'one');
    await createRoom(u, 'public', 'two');
    const third = await u.api.post('/api/rooms', { name: 'three', visibility: 'public' });
    expect(third.status).toBe(403);
    expect(third.body.error).toMatchObject({ code: 'ROOM_LIMIT_REACHED', details: { tier: 'bronze', roomsMax: 2, owned: 2 } });
    expect((await srv.ctx.stores.rooms.countOwnedBy(u.id))).toBe(2);
  });

  it('private_rooms: refused for bronze, allowed once the user is gold', async () => {
    const u = await registerUser(srv, 'priv');
    const refused = await u.api.post('/api/rooms', { name: 'secret', visibility: 'private' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('PRIVATE_ROOMS_NOT_ALLOWED');
    expect(await srv.ctx.stores.rooms.countOwnedBy(u.id)).toBe(0);
    await fund(admin, u.id, 500);
    expect((await u.api.post('/api/rooms', { name: 'secret', visibility: 'private' })).status).toBe(201);
  });

  it('file_size_mb and storage_gb: per-tier file size and quota on upload', async () => {
    const u = await registerUser(srv, 'files');
    expect((await upload(u, 1024)).status).toBe(201);
    const big = await upload(u, 1025);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 1024 } });
    expect((await upload(u, 1024)).status).toBe(201);
    expect((await upload(u, 1024)).status).toBe(201);
    const over = await upload(u, 10);
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await srv.ctx.stores.files.usedBytes(u.id)).toBe(3072);

    await fund(admin, u.id, 100); // silver: 2048-byte files, 5 GB
    expect((await upload(u, 2048)).status).toBe(201);
    expect((await upload(u, 2049)).body.error.code).toBe('FILE_TOO_LARGE');
  });
});
