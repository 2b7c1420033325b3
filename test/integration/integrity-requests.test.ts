import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { collect, emitAck } from '../support/socket.js';
import { chatRoom, createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { fence } from '../support/fence.js';

/**
 * Issue 9, rows 11 and 12: a reused clientMessageId for another room or body is a conflict, not a
 * silent drop; a body that does not decode with its Content-Encoding is a typed 400 on every
 * route, with no error (and no stack trace) in the log.
 */
const lines: Array<Record<string, any>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let srv: TestServer;
const pool = socketPool();
beforeAll(async () => {
  srv = await startTestServer({ logger: pino({ level: 'info' }, sink) });
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

describe('clientMessageId reuse (row 11)', () => {
  it('answers IDEMPOTENCY_CONFLICT for another room or another body, and the same message for a true retry', async () => {
    const { owner, room, ownerSock } = await chatRoom(srv, pool);
    const room2 = await createRoom(owner, 'public', 'second');
    await joinRoom(ownerSock, room2.id);
    const first = await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'same-id', body: 'hello' });
    expect(first.ok).toBe(true);
    const retry = await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'same-id', body: 'hello' });
    expect(retry).toMatchObject({ ok: true, data: { message: { id: first.ok ? first.data.message.id : '' } } });

    const seen = collect(ownerSock, 'message:new');
    const otherRoom = await emitAck(ownerSock, 'message:send', { roomId: room2.id, clientMessageId: 'same-id', body: 'hello' });
    expect(otherRoom).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    const otherBody = await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'same-id', body: 'changed' });
    expect(otherBody).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    await fence(srv, ownerSock);
    expect(seen).toHaveLength(0);
    // The client learns the message was not stored; room 2 holds nothing that pretends otherwise.
    const history = await owner.api.get(`/api/rooms/${room2.id}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages).toEqual([]);
  });
});

describe('broken Content-Encoding (row 12)', () => {
  const broken: Array<[string, Buffer]> = [
    ['gzip', Buffer.from('{"username":"x"}')],
    ['gzip', gzipSync(Buffer.from('{"username":"x","password":"yyyyyyyy"}')).subarray(0, 12)],
    ['br', Buffer.from('not brotli at all')],
    ['deflate', Buffer.from('nope')],
  ];
  const routes: Array<[string, string]> = [
    ['POST', '/api/auth/register'],
    ['POST', '/api/auth/login'],
    ['POST', '/api/rooms'],
    ['POST', '/api/pin'],
    ['POST', '/api/no-such-route'],
  ];

  it('answers 400 BODY_ENCODING_INVALID on every route and logs no error', async () => {
    const user = await registerUser(srv, 'encUser');
    const errorsBefore = lines.filter((l) => l['level'] >= 50).length;
    for (const [method, path] of routes) {
      for (const [encoding, body] of broken) {
        const res = await request(srv.url, method, path, {
          token: user.token,
          rawBody: body,
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        });
        expect(res.status, `${method} ${path} ${encoding}`).toBe(400);
        expect(res.body.error.code).toBe('BODY_ENCODING_INVALID');
      }
    }
    const errorLines = lines.filter((l) => l['level'] >= 50).slice(errorsBefore);
    expect(errorLines).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/incorrect header check|Decompression failed/);
  });

  it('still accepts a body that is correctly gzip-encoded', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ username: 'gz_user_ok', password: 'correct horse battery' })));
    const res = await request(srv.url, 'POST', '/api/auth/register', { rawBody: body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(res.status).toBe(201);
  });
});
