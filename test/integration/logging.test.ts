import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED_PATHS } from '../../server/lib/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { connect, emitRaw } from '../support/socket.js';

/** Structured logs: one JSON line per HTTP request and per socket event, each with an id. */
const lines: Array<Record<string, any>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logger: pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink) });
});
afterAll(async () => {
  await server.stop();
});

describe('structured logs', () => {
  it('logs each request once with its request id, echoed in x-request-id', async () => {
    const res = await request(server.url, 'POST', '/api/auth/register', { body: { username: 'logged_user', password: 'password123' } });
    expect(res.status).toBe(201);
    const id = res.headers.get('x-request-id');
    const mine = lines.filter((l) => l['req']?.id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', res: { statusCode: 201 } });
    // Secrets never reach the log.
    expect(JSON.stringify(mine[0])).not.toContain('password123');
  });

  it('never writes a bearer token to the log', async () => {
    const reg = await request(server.url, 'POST', '/api/auth/register', { body: { username: 'token_user', password: 'password123' } });
    const res = await request(server.url, 'GET', '/api/users/me', { token: reg.body.token });
    const line = lines.find((l) => l['req']?.id === res.headers.get('x-request-id'));
    expect(line?.['req']?.headers?.authorization).toBe('[redacted]');
    expect(JSON.stringify(lines)).not.toContain(reg.body.token);
  });

  it('logs each socket event once with an event id, the user and the outcome', async () => {
    const reg = await request(server.url, 'POST', '/api/auth/register', { body: { username: 'event_user', password: 'password123' } });
    const socket = await connect(server.url, reg.body.token);
    try {
      await emitRaw(socket, 'no:such-event', {});
      await emitRaw(socket, 'room:join', 'not an object');
      const events = lines.filter((l) => l['msg'] === 'event' && l['userId'] === reg.body.user.id);
      expect(events.map((e) => [e['event'], e['ok'], e['code']])).toEqual([
        ['no:such-event', false, 'UNKNOWN_EVENT'],
        ['room:join', false, 'PAYLOAD_NOT_OBJECT'],
      ]);
      expect(new Set(events.map((e) => e['reqId'])).size).toBe(2);
    } finally {
      socket.close();
    }
  });
});
