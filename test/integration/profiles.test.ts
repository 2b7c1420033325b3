import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { emitAck, waitFor } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { awardTokens } from '../../server/ledger/award.js';
import { PROFILE_SUMMARY_TTL_MS } from '../../server/users/profile-service.js';
import { chatRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { setPin } from './gifts-fixtures.js';
import { bought } from './shop-fixtures.js';

/**
 * Profiles over real HTTP and sockets (docs/chat.md "Profiles"): display name and bio, finding
 * people, avatars (silver and up, sniffed, re-encoded by sharp), equipped cosmetics, and the
 * summary every message and member list carries. A ManualClock steps past the summary cache.
 */
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
const AVATAR_MAX = 64 * 1024;
let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { AVATAR_UPLOAD_MAX_BYTES: String(AVATAR_MAX) } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => srv.stop());

const patch = (u: TestUser, path: string, body: unknown) => request(srv.url, 'PATCH', path, { token: u.token, body });
/** Skips past every node's profile summary cache. */
const pastCache = (): void => clock.set(clock.now().getTime() + PROFILE_SUMMARY_TTL_MS + 1);

async function fund(user: TestUser, amount: number): Promise<void> {
  await awardTokens(srv.ctx, 'test-admin', { userId: user.id, amount, reason: 'test funding', requestId: `fund-${user.id}-${amount}` });
}

function avatarForm(bytes: Buffer, name = 'me.png', type = 'image/png', field = 'file'): FormData {
  const fd = new FormData();
  fd.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  return fd;
}
const upload = (u: TestUser, fd: FormData) => request(srv.url, 'POST', '/api/users/me/avatar', { token: u.token, rawBody: fd });
const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#3366cc' } }).png().toBuffer();

describe('display name and bio', () => {
  it('sets, shows and clears them; every summary carries the display name', async () => {
    const { owner, member, room, ownerSock } = await chatRoom(srv, sockets);
    const res = await patch(member, '/api/users/me', { displayName: '  Mémé 🌻 ', bio: 'likes plants' });
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ displayName: 'Mémé 🌻', bio: 'likes plants', avatarUrl: null, equipped: {} });
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user).toMatchObject({ id: member.id, displayName: 'Mémé 🌻', bio: 'likes plants' });
    expect((await member.api.get('/api/users/me')).body.user).toMatchObject({ displayName: 'Mémé 🌻', bio: 'likes plants' });
    const members = (await owner.api.get(`/api/rooms/${room.id}/members`)).body.members;
    expect(members.find((m: { user: { id: string } }) => m.user.id === member.id).user).toMatchObject({ displayName: 'Mémé 🌻' });
    const got = waitFor(ownerSock, 'message:new');
    await emitAck(await sockets.open(srv, member), 'message:send', { roomId: room.id, clientMessageId: 'p1', body: 'hello' });
    expect((await got).author).toMatchObject({ id: member.id, username: member.username, displayName: 'Mémé 🌻' });

    const cleared = await patch(member, '/api/users/me', { displayName: null });
    expect(cleared.body.profile).toMatchObject({ displayName: null, bio: 'likes plants' });
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.displayName).toBeUndefined();
  });

  it.each([
    ['an empty body', {}],
    ['a blank display name', { displayName: '   ' }],
    ['a display name too long', { displayName: 'x'.repeat(51) }],
    ['a control character', { displayName: 'a\u0007b' }],
    ['a bio too long', { bio: 'x'.repeat(501) }],
    ['a numeric bio', { bio: 5 }],
    ['an unknown field', { username: 'other' }],
  ])('refuses %s and changes nothing', async (_what, body) => {
    const u = await registerUser(srv, 'p');
    await patch(u, '/api/users/me', { displayName: 'Before' });
    const res = await patch(u, '/api/users/me', body);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await u.api.get('/api/users/me')).body.user).toMatchObject({ displayName: 'Before', bio: '' });
  });

  it('needs authentication', async () => {
    expect((await request(srv.url, 'PATCH', '/api/users/me', { body: { bio: 'x' } })).status).toBe(401);
  });
});

describe('find people', () => {
  it('matches a prefix of username or display name, case-insensitively, newest first, paged', async () => {
    const tag = `Zq${Date.now().toString(36)}`;
    const a = await registerUser(srv, `${tag}a`);
    const b = await registerUser(srv, 'other');
    await patch(b, '/api/users/me', { displayName: `${tag.toUpperCase()} Bee` });
    const c = await registerUser(srv, `${tag}c`);
    const searcher = await registerUser(srv, 'searcher');
    const first = await searcher.api.get(`/api/users?search=${tag.toLowerCase()}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.users.map((u: { id: string }) => u.id)).toEqual([c.id, b.id]);
    expect(first.body.users[1]).toMatchObject({ username: b.username, displayName: `${tag.toUpperCase()} Bee` });
    expect(first.body.nextCursor).toBe(b.id);
    const second = await searcher.api.get(`/api/users?search=${tag}&limit=2&before=${first.body.nextCursor}`);
    expect(second.body).toEqual({ users: [expect.objectContaining({ id: a.id })], nextCursor: null });
    // A public profile of a search hit.
    expect((await searcher.api.get(`/api/users/${a.id}`)).body.user).toMatchObject({ id: a.id, username: a.username });
  });

  it('treats pattern characters as text', async () => {
    const u = await registerUser(srv, 'pat');
    for (const q of ['%%', '__', '.*', '^a', '$ne', "' OR 1=1 --", '\\\\', '\u{10FFFF}x']) {
      const res = await u.api.get(`/api/users?search=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body.users, q).toEqual([]);
    }
  });

  it('refuses a prefix under 2 characters, a bad page, and anonymous callers', async () => {
    const u = await registerUser(srv, 'short');
    for (const path of ['/api/users?search=a', '/api/users?search=%20%20a%20', '/api/users', '/api/users?search=ab&limit=0']) {
      const res = await u.api.get(path);
      expect([res.status, res.body.error.code], path).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await client(srv.url).get('/api/users?search=ab')).status).toBe(401);
  });

  it('answers USER_NOT_FOUND for an unknown profile', async () => {
    const u = await registerUser(srv, 'nf');
    expect((await u.api.get('/api/users/01HZZZZZZZZZZZZZZZZZZZZZZZ')).body.error.code).toBe('USER_NOT_FOUND');
  });
});

describe('avatars', () => {
  it('refuses bronze before reading the upload', async () => {
    const u = await registerUser(srv, 'bronze');
    const res = await upload(u, avatarForm(await png(10, 10)));
    expect([res.status, res.body.error.code]).toEqual([403, 'CUSTOM_AVATAR_NOT_ALLOWED']);
    expect(res.body.error.details).toEqual({ tier: 'bronze' });
  });

  it('re-encodes a silver user’s image to a 256 px WebP square that every summary links to', async () => {
    const { owner, member, room, ownerSock } = await chatRoom(srv, sockets);
    await fund(member, srv.ctx.economy.current.tiers.thresholds.silver);
    const res = await upload(member, avatarForm(await png(600, 300), 'holiday.txt', 'text/plain'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const url = res.body.avatarUrl as string;
    expect(url).toMatch(/^\/api\/avatars\/[0-9A-Z]{26}\.webp$/);
    const img = await fetch(srv.url + url);
    expect(img.headers.get('content-type')).toBe('image/webp');
    expect(img.headers.get('cache-control')).toContain('immutable');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 256]);

    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.avatarUrl).toBe(url);
    const got = waitFor(ownerSock, 'message:new');
    await emitAck(await sockets.open(srv, member), 'message:send', { roomId: room.id, clientMessageId: 'av', body: 'new look' });
    expect((await got).author.avatarUrl).toBe(url);

    // A new avatar gets a new URL and the old one is gone; removing it leaves none.
    const next = await upload(member, avatarForm(await png(40, 40)));
    expect(next.body.avatarUrl).not.toBe(url);
    expect((await fetch(srv.url + url)).status).toBe(404);
    const removed = await member.api.del('/api/users/me/avatar');
    expect(removed.body).toEqual({ avatarUrl: null });
    expect((await fetch(srv.url + next.body.avatarUrl)).status).toBe(404);
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.avatarUrl).toBeUndefined();
  });

  it('refuses non-images, lying images, oversize files and a wrong field, storing nothing', async () => {
    const u = await registerUser(srv, 'silver');
    await fund(u, srv.ctx.economy.current.tiers.thresholds.silver);
    const cases: Array<[string, FormData, number, string]> = [
      ['text claimed as png', avatarForm(Buffer.from('just words'), 'a.png', 'image/png'), 415, 'NOT_AN_IMAGE'],
      ['a PDF', avatarForm(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'a.png', 'image/png'), 415, 'NOT_AN_IMAGE'],
      ['a truncated PNG', avatarForm((await png(50, 50)).subarray(0, 40)), 415, 'NOT_AN_IMAGE'],
      ['an oversize file', avatarForm(Buffer.alloc(AVATAR_MAX + 1, 1)), 413, 'FILE_TOO_LARGE'],
      ['another field', avatarForm(await png(10, 10), 'a.png', 'image/png', 'avatar'), 400, 'FILE_MISSING'],
    ];
    for (const [what, fd, status, code] of cases) {
      const res = await upload(u, fd);
      expect([res.status, res.body.error?.code], what).toEqual([status, code]);
    }
    expect((await u.api.get('/api/users/me')).body.user.avatarUrl).toBeUndefined();
    expect((await fetch(`${srv.url}/api/avatars/..%2F..%2Fjwt-secret`)).status).toBe(404);
  });
});

describe('cosmetics', () => {
  it('equips only owned cosmetics of the right slot; summaries carry them; unequip with null', async () => {
    const { owner, member, room, ownerSock } = await chatRoom(srv, sockets);
    await setPin(member);
    await fund(member, 500);
    await bought(srv, member, 'custom_avatar_frame');
    await bought(srv, member, 'custom_chat_color');

    const notOwned = await patch(member, '/api/users/me/cosmetics', { badge: 'profile_badge' });
    expect([notOwned.status, notOwned.body.error.code]).toEqual([403, 'COSMETIC_NOT_OWNED']);
    const wrongSlot = await patch(member, '/api/users/me/cosmetics', { badge: 'custom_avatar_frame' });
    expect(wrongSlot.body.error.code).toBe('COSMETIC_NOT_OWNED');
    const notCosmetic = await patch(member, '/api/users/me/cosmetics', { theme: 'unlimited_rooms' });
    expect(notCosmetic.body.error.code).toBe('COSMETIC_NOT_OWNED');
    // A refused request changes nothing, even its owned part.
    const mixed = await patch(member, '/api/users/me/cosmetics', { avatar_frame: 'custom_avatar_frame', badge: 'profile_badge' });
    expect(mixed.body.error.code).toBe('COSMETIC_NOT_OWNED');
    expect((await member.api.get(`/api/users/${member.id}`)).body.user.equipped).toBeUndefined();

    const ok = await patch(member, '/api/users/me/cosmetics', { avatar_frame: 'custom_avatar_frame', chat_color: 'custom_chat_color' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ equipped: { avatar_frame: 'custom_avatar_frame', chat_color: 'custom_chat_color' } });
    const got = waitFor(ownerSock, 'message:new');
    await emitAck(await sockets.open(srv, member), 'message:send', { roomId: room.id, clientMessageId: 'c1', body: 'shiny' });
    expect((await got).author.equipped).toEqual({ avatar_frame: 'custom_avatar_frame', chat_color: 'custom_chat_color' });

    expect((await patch(member, '/api/users/me/cosmetics', { chat_color: null })).body).toEqual({ equipped: { avatar_frame: 'custom_avatar_frame' } });
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.equipped).toEqual({ avatar_frame: 'custom_avatar_frame' });
  });

  it('stops showing a cosmetic whose purchase is no longer active, once the summary cache lapses', async () => {
    const { owner, member } = await chatRoom(srv, sockets);
    await setPin(member);
    await fund(member, 500);
    const purchaseId = await bought(srv, member, 'custom_chat_color');
    await patch(member, '/api/users/me/cosmetics', { chat_color: 'custom_chat_color' });
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.equipped).toEqual({ chat_color: 'custom_chat_color' });
    // Cosmetics are permanent and never refunded by the shop's policy; an operator's refund marks the purchase so.
    expect(await srv.ctx.purchases.beginRefund(purchaseId, { at: clock.now(), amount: 50, requireUnused: false })).toBe(true);
    // Still cached on this node for up to PROFILE_SUMMARY_TTL_MS ...
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.equipped).toEqual({ chat_color: 'custom_chat_color' });
    pastCache();
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user.equipped).toBeUndefined();
    expect((await member.api.get('/api/users/me')).body.user.equipped).toBeUndefined();
  });

  it.each([
    ['an empty body', {}],
    ['an unknown slot', { hat: 'x' }],
    ['a numeric item', { badge: 5 }],
  ])('refuses %s', async (_what, body) => {
    const u = await registerUser(srv, 'cos');
    const res = await patch(u, '/api/users/me/cosmetics', body);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
