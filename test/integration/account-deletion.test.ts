import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { connectError, emitAck, waitFor } from '../support/socket.js';
import { awardTokens } from '../../server/ledger/award.js';
import { accountDeletionKey } from '../../server/users/account-deletion.js';
import { DELETED_USER_NAME } from '../../server/stores/usernames.js';
import { chatRoom, PASSWORD, registerUser, socketPool } from './chat-fixtures.js';

/** `DELETE /api/users/me` (docs/chat.md "Delete account") over real HTTP, sockets and SQLite. */
let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startTestServer();
});
afterEach(() => sockets.closeAll());
afterAll(async () => srv.stop());

describe('delete account', () => {
  it('sweeps the balance in one keyed entry, disconnects, kills the token, keeps messages under "deleted user", frees the name', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    await awardTokens(srv.ctx, 'test-admin', { userId: member.id, amount: 42, reason: 'to be swept', requestId: `sweep-${member.id}` });
    const sent = waitFor(ownerSock, 'message:new');
    await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'last', body: 'bye all' });
    const messageId = (await sent).id;
    await srv.ctx.ledger.flush();
    const balance = (await srv.ctx.ledger.account(member.id)).balance;
    expect(balance).toBeGreaterThanOrEqual(42);
    const auditBefore = await srv.ctx.ledger.audit();
    const dropped = new Promise<string>((resolve) => memberSock.once('disconnect', (reason) => resolve(reason)));

    const res = await member.api.del('/api/users/me', { password: PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ deleted: true, tokensRemoved: balance });
    expect(await dropped).toBe('io server disconnect');

    // One entry, keyed by the account, user -> sink; the books still balance.
    const entry = await srv.ctx.ledger.findByIdempotencyKey(accountDeletionKey(member.id));
    expect(entry?.legs.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-balance, balance]);
    expect((await srv.ctx.ledger.account(member.id)).balance).toBe(0);
    const audit = await srv.ctx.ledger.audit();
    expect(audit.ok).toBe(true);
    expect(audit.entries).toBe(auditBefore.entries + 1);

    // The token stops working, over HTTP and sockets; logging in is impossible.
    expect((await member.api.get('/api/users/me')).body.error.code).toBe('TOKEN_INVALID');
    expect((await connectError(srv.url, { token: member.token })).message).toBe('TOKEN_INVALID');
    expect((await client(srv.url).post('/api/auth/login', { username: member.username, password: PASSWORD })).body.error.code).toBe('INVALID_CREDENTIALS');

    // Messages stay, authored by "deleted user"; the profile and the room list show the same.
    const history = await owner.api.get(`/api/rooms/${room.id}/messages`);
    expect(history.body.messages.find((m: { id: string }) => m.id === messageId).author).toEqual({ id: member.id, username: DELETED_USER_NAME });
    expect((await owner.api.get(`/api/users/${member.id}`)).body.user).toMatchObject({ id: member.id, username: DELETED_USER_NAME });
    expect((await owner.api.get(`/api/users?search=${member.username.slice(0, 8)}`)).body.users.map((u: { id: string }) => u.id)).not.toContain(member.id);

    // The name is free again.
    const again = await client(srv.url).post('/api/auth/register', { username: member.username, password: PASSWORD });
    expect(again.status).toBe(201);
  });

  it('refuses a wrong or missing password and changes nothing', async () => {
    const u = await registerUser(srv, 'keep');
    const wrong = await u.api.del('/api/users/me', { password: 'not my password' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(wrong.body.error.details.attemptsLeft).toEqual(expect.any(Number));
    const missing = await u.api.del('/api/users/me', {});
    expect([missing.status, missing.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await u.api.get('/api/users/me')).body.user.username).toBe(u.username);
    expect(await srv.ctx.ledger.findByIdempotencyKey(accountDeletionKey(u.id))).toBeNull();
  });

  it('locks out a guesser on the PIN lockout', async () => {
    const u = await registerUser(srv, 'guess');
    let last = await u.api.del('/api/users/me', { password: 'guess 0' });
    for (let i = 1; i < 20 && last.body.error.code !== 'PIN_LOCKED'; i++) last = await u.api.del('/api/users/me', { password: `guess ${i}` });
    expect(last.body.error.code).toBe('PIN_LOCKED');
    // Even the right password waits for the lockout to end.
    expect((await u.api.del('/api/users/me', { password: PASSWORD })).body.error.code).toBe('PIN_LOCKED');
    expect((await u.api.get('/api/users/me')).status).toBe(200);
  });

  it('needs authentication', async () => {
    expect((await client(srv.url).del('/api/users/me', { password: PASSWORD })).status).toBe(401);
  });
});
