import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { emitAck, emitRaw } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import type { ClientEventName } from '../../shared/events.js';

let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ env: { JSON_BODY_MAX_BYTES: '2048' } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

const CHAT_EVENTS: ClientEventName[] = ['room:join', 'room:leave', 'message:send', 'message:react', 'message:vote-helpful', 'file:share'];

describe('bad input never crashes and always gets its typed error', () => {
  it('answers UNKNOWN_EVENT for an event that does not exist', async () => {
    const s = await sockets.open(srv, await registerUser(srv));
    expect(await emitRaw(s, 'message:explode', { x: 1 })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
    expect(await emitRaw(s, 'constructor', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
  });

  it.each(CHAT_EVENTS)('%s refuses payloads that are not objects', async (event) => {
    const s = await sockets.open(srv, await registerUser(srv));
    for (const payload of ['text', 17, null, [], true]) {
      expect(await emitRaw(s, event, payload)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_NOT_OBJECT' } });
    }
    expect(await emitRaw(s, event, {})).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('survives events without an ack callback and keeps serving the socket', async () => {
    const owner = await registerUser(srv);
    const room = await createRoom(owner);
    const s = await sockets.open(srv, owner);
    (s.emit as (...a: unknown[]) => void)('message:send', 'not an object');
    (s.emit as (...a: unknown[]) => void)('no-such-event');
    (s.emit as (...a: unknown[]) => void)('message:send', { roomId: room.id, clientMessageId: 'noack', body: 'x' });
    const ack = await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: 'after', body: 'still here' });
    expect(ack.ok).toBe(true);
    const history = await owner.api.get(`/api/rooms/${room.id}/messages`);
    expect(history.body.messages.map((m: { body: string }) => m.body)).toEqual(['still here', 'x']);
  });

  it('maps HTTP failures to catalogued errors', async () => {
    const u = await registerUser(srv);
    const unknownRoute = await u.api.get('/api/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error.code).toBe('ROUTE_NOT_FOUND');
    const tooBig = await u.api.post('/api/rooms', { name: 'x', visibility: 'public', description: 'y'.repeat(4000) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const malformed = await request(srv.url, 'POST', '/api/rooms', { token: u.token, rawBody: '{"name": ' });
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    const wrongType = await u.api.post('/api/rooms', { name: ['x'], visibility: 'public' });
    expect(wrongType.body.error.code).toBe('VALIDATION_FAILED');
    expect((await u.api.get('/api/rooms')).body.rooms.filter((r: { ownerId: string }) => r.ownerId === u.id)).toEqual([]);
  });

  it('is still healthy after a barrage of bad input', async () => {
    const u = await registerUser(srv);
    const room = await createRoom(u);
    const s = await sockets.open(srv, u);
    await joinRoom(s, room.id);
    const bad = [
      emitRaw(s, 'message:send', { roomId: room.id, clientMessageId: 'b', body: 'x'.repeat(20_000) }),
      emitRaw(s, 'message:react', { messageId: 'nope', emoji: '', on: true }),
      emitRaw(s, 'file:share', { roomId: room.id, fileId: 'nope' }),
      emitRaw(s, 'room:join', { roomId: 'x'.repeat(65) }),
      request(srv.url, 'POST', '/api/auth/login', { rawBody: 'not json' }),
      request(srv.url, 'POST', '/api/files', { token: u.token, rawBody: '--x\r\n', headers: { 'content-type': 'multipart/form-data; boundary=x' } }),
      request(srv.url, 'GET', '/api/rooms/%E0%A4%A/messages', { token: u.token }),
    ];
    const answers = await Promise.all(bad);
    const codes = answers.map((a) => ('ok' in a ? a.error?.code : a.body?.error?.code) as string | undefined);
    expect(codes).toEqual([
      'MESSAGE_TOO_LARGE',
      'VALIDATION_FAILED',
      'FILE_NOT_FOUND',
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    expect((await client(srv.url).get('/healthz')).body).toEqual({ ok: true });
    expect((await client(srv.url).get('/readyz')).status).toBe(200);
    expect((await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: 'alive', body: 'ok' })).ok).toBe(true);
  });
});
