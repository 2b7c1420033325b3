import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { connectError } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { makeAdmin } from '../../server/cli/make-admin.js';
import { PASSWORD, registerUser, socketPool, uname } from './chat-fixtures.js';

let srv: TestServer;
const ADMIN_NAME = uname('Boss');

beforeAll(async () => {
  srv = await startTestServer({ env: { ADMIN_USERNAMES: `someone_else, ${ADMIN_NAME.toLowerCase()}` } });
});
afterAll(async () => {
  await srv.stop();
});

describe('register', () => {
  it('creates an account and returns a working token', async () => {
    const username = uname('Alice');
    const res = await client(srv.url).post('/api/auth/register', { username, password: PASSWORD, publicKey: 'pk-abc' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ token: expect.any(String), user: { id: expect.any(String), username }, award: expect.objectContaining({ activity: 'registration' }) });
    const me = await client(srv.url, res.body.token).get('/api/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: res.body.user.id, username, role: 'user', publicKey: 'pk-abc' });
    expect(me.body.user.inviteCode).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const stored = await srv.ctx.stores.users.findById(res.body.user.id);
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.registrationIp).toMatch(/127\.0\.0\.1/);
  });

  it('gives every user a different invite code', async () => {
    const a = await registerUser(srv);
    const b = await registerUser(srv);
    const [ma, mb] = await Promise.all([a.api.get('/api/users/me'), b.api.get('/api/users/me')]);
    expect(ma.body.user.inviteCode).not.toBe(mb.body.user.inviteCode);
  });

  it('refuses a duplicate username case-insensitively and keeps the first account', async () => {
    const first = await registerUser(srv, 'Dup');
    const res = await client(srv.url).post('/api/auth/register', { username: first.username.toUpperCase(), password: 'another password' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('USERNAME_TAKEN');
    const login = await client(srv.url).post('/api/auth/login', { username: first.username, password: 'another password' });
    expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
    const ok = await client(srv.url).post('/api/auth/login', { username: first.username.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(first.id);
  });

  it('records the referral of a valid invite code', async () => {
    const inviter = await registerUser(srv, 'Inviter');
    const code = (await inviter.api.get('/api/users/me')).body.user.inviteCode as string;
    const invited = await registerUser(srv, 'Invited', { inviteCode: code });
    const stored = await srv.ctx.stores.users.findById(invited.id);
    expect(stored?.invitedBy).toBe(inviter.id);
  });

  it('refuses an unknown invite code and creates nothing', async () => {
    const username = uname('Nocode');
    const res = await client(srv.url).post('/api/auth/register', { username, password: PASSWORD, inviteCode: 'no-such-code' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVITE_CODE_INVALID');
    expect(await srv.ctx.stores.users.findByUsername(username)).toBeNull();
  });

  it.each([
    ['a missing password', { username: 'valid_name' }],
    ['a missing username', { password: PASSWORD }],
    ['a username that is too short', { username: 'ab', password: PASSWORD }],
    ['a username with bad characters', { username: 'bad name!', password: PASSWORD }],
    ['a short password', { username: 'valid_name2', password: 'short' }],
    ['a number as username', { username: 12345, password: PASSWORD }],
    ['an object as password', { username: 'valid_name3', password: { x: 1 } }],
  ])('refuses %s with VALIDATION_FAILED', async (_what, body) => {
    const res = await client(srv.url).post('/api/auth/register', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.length).toBeGreaterThan(0);
  });

  it('refuses malformed JSON and a body that is not an object', async () => {
    const bad = await request(srv.url, 'POST', '/api/auth/register', { rawBody: '{"username": "x",' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('MALFORMED_JSON');
    const arr = await request(srv.url, 'POST', '/api/auth/register', { rawBody: '["a", "b"]' });
    expect(arr.status).toBe(400);
    expect(arr.body.error.code).toBe('PAYLOAD_NOT_OBJECT');
    const none = await request(srv.url, 'POST', '/api/auth/register');
    expect(none.body.error.code).toBe('PAYLOAD_NOT_OBJECT');
  });

  it('makes ADMIN_USERNAMES admins when they register', async () => {
    const res = await client(srv.url).post('/api/auth/register', { username: ADMIN_NAME, password: PASSWORD });
    expect(res.status).toBe(201);
    const me = await client(srv.url, res.body.token).get('/api/users/me');
    expect(me.body.user.role).toBe('admin');
  });
});

describe('login', () => {
  it('returns a token for the right password', async () => {
    const u = await registerUser(srv, 'Login');
    const res = await client(srv.url).post('/api/auth/login', { username: u.username, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), user: { id: u.id, username: u.username } });
    expect((await client(srv.url, res.body.token).get('/api/users/me')).status).toBe(200);
  });

  it('answers an unknown user and a wrong password the same way', async () => {
    const u = await registerUser(srv, 'Login');
    const wrong = await client(srv.url).post('/api/auth/login', { username: u.username, password: 'not the password' });
    const unknown = await client(srv.url).post('/api/auth/login', { username: uname('ghost'), password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a login with missing fields', async () => {
    const res = await client(srv.url).post('/api/auth/login', { username: 'someone' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('brakes repeated failures per username and address, also for the right password', async () => {
    const u = await registerUser(srv, 'Brake');
    const other = await registerUser(srv, 'Brake');
    for (let i = 0; i < 10; i++) {
      const res = await client(srv.url).post('/api/auth/login', { username: u.username, password: 'wrong password' });
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    const limited = await client(srv.url).post('/api/auth/login', { username: u.username, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    const unaffected = await client(srv.url).post('/api/auth/login', { username: other.username, password: PASSWORD });
    expect(unaffected.status).toBe(200);
  });
});

describe('profiles', () => {
  it('shows a public profile without private fields', async () => {
    const a = await registerUser(srv, 'Prof', { publicKey: 'key-a' });
    const b = await registerUser(srv, 'Viewer');
    const res = await b.api.get(`/api/users/${a.id}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: a.id, username: a.username, publicKey: 'key-a' });
    for (const field of ['inviteCode', 'passwordHash', 'role', 'registrationIp', 'invitedBy']) expect(res.body.user).not.toHaveProperty(field);
  });

  it('answers USER_NOT_FOUND for an unknown id', async () => {
    const b = await registerUser(srv);
    const res = await b.api.get('/api/users/01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
  });

  it('needs a valid token', async () => {
    expect((await client(srv.url).get('/api/users/me')).body.error.code).toBe('UNAUTHENTICATED');
    expect((await client(srv.url, 'not.a.jwt').get('/api/users/me')).body.error.code).toBe('TOKEN_INVALID');
  });
});

describe('make-admin', () => {
  it('promotes an existing user and reports unknown ones', async () => {
    const u = await registerUser(srv, 'Promote');
    expect(await makeAdmin(srv.ctx.stores.users, u.username.toUpperCase())).toBe('promoted');
    expect((await u.api.get('/api/users/me')).body.user.role).toBe('admin');
    expect(await makeAdmin(srv.ctx.stores.users, u.username)).toBe('already-admin');
    expect(await makeAdmin(srv.ctx.stores.users, uname('nobody'))).toBe('not-found');
  });

  it('works as `npm run make-admin -- <username>` on the configured backend', async () => {
    const u = await registerUser(srv, 'Cli');
    const run = promisify(execFile);
    const env = { ...process.env, DATA_DIR: srv.dataDir, LOG_LEVEL: 'silent' };
    const { stdout } = await run('npx', ['tsx', 'server/cli/make-admin.ts', u.username], { env });
    expect(stdout).toContain('is now an admin');
    expect((await u.api.get('/api/users/me')).body.user.role).toBe('admin');
    await expect(run('npx', ['tsx', 'server/cli/make-admin.ts', uname('nobody')], { env })).rejects.toMatchObject({ code: 1 });
  });
});

describe('tokens on a moving clock', () => {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  let timed: TestServer;
  const sockets = socketPool();
  beforeAll(async () => {
    timed = await startTestServer({ clock, env: { JWT_TTL_SECONDS: '3600' } });
  });
  afterAll(async () => {
    sockets.closeAll();
    await timed.stop();
  });

  it('refuses an expired token over HTTP and on the socket, naming the reason', async () => {
    const u = await registerUser(timed, 'Expiry');
    const live = await sockets.open(timed, u);
    expect(live.connected).toBe(true);
    clock.advance(3601 * 1000);
    const res = await u.api.get('/api/users/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_EXPIRED');
    const err = await connectError(timed.url, { token: u.token });
    expect(err.message).toBe('TOKEN_EXPIRED');
    expect(err.data.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a missing or forged token on the socket', async () => {
    expect((await connectError(timed.url, {})).message).toBe('UNAUTHENTICATED');
    expect((await connectError(timed.url, { token: 'garbage' })).message).toBe('TOKEN_INVALID');
    expect((await connectError(timed.url, { token: 42 })).message).toBe('UNAUTHENTICATED');
  });
});
