import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { loadConfig } from '../../server/config/env.js';

const LISTED = 'https://chat.example.com';
const STRANGER = 'https://evil.example.net';

/** Opens a websocket with the given Origin header; resolves 'connected' or the connect_error message. */
function socketWithOrigin(url: string, token: string, origin: string | undefined): Promise<string> {
  const socket = ioClient(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close());
}

describe('default: same origin only', () => {
  let srv: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    srv = await startTestServer();
    user = await registerUser(srv);
  });
  afterAll(async () => srv.stop());

  it('sends security headers with a CSP fit for a same-origin web client', async () => {
    const res = await request(srv.url, 'GET', '/healthz');
    const csp = res.headers.get('content-security-policy') ?? '';
    const host = new URL(srv.url).host;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('gives a foreign page no CORS grant on REST, preflight included', async () => {
    const res = await request(srv.url, 'GET', '/api/users/me', { token: user.token, headers: { origin: STRANGER } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await request(srv.url, 'OPTIONS', '/api/rooms', { headers: { origin: STRANGER, 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a foreign page on Socket.IO and lets the same origin and non-browser clients in', async () => {
    expect(await socketWithOrigin(srv.url, user.token, STRANGER)).not.toBe('connected');
    expect(await socketWithOrigin(srv.url, user.token, srv.url)).toBe('connected');
    expect(await socketWithOrigin(srv.url, user.token, undefined)).toBe('connected');
  });

  it('refuses the polling transport from a foreign page too', async () => {
    const res = await request(srv.url, 'GET', '/socket.io/?EIO=4&transport=polling', { headers: { origin: STRANGER } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS lists extra origins', () => {
  let srv: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    srv = await startTestServer({ env: { CORS_ORIGINS: `${LISTED}, http://localhost:5173` } });
    user = await registerUser(srv);
  });
  afterAll(async () => srv.stop());

  it('grants a listed origin on REST (simple and preflight) and no other', async () => {
    const res = await request(srv.url, 'GET', '/api/users/me', { token: user.token, headers: { origin: LISTED } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const pre = await request(srv.url, 'OPTIONS', '/api/rooms', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await request(srv.url, 'GET', '/api/users/me', { token: user.token, headers: { origin: STRANGER } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a listed origin connect over Socket.IO, and refuses others', async () => {
    expect(await socketWithOrigin(srv.url, user.token, LISTED)).toBe('connected');
    expect(await socketWithOrigin(srv.url, user.token, STRANGER)).not.toBe('connected');
  });

  it('stops the process on a value that is not an origin', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });
});
