import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser } from './chat-fixtures.js';

/** Per-user storage is tracked and shown to the user with their tier's quota. */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

describe('GET /api/users/me storage', () => {
  it('counts the bytes of each upload against the tier quota', async () => {
    const user = await registerUser(srv, 'Storer');
    const before = await request(srv.url, 'GET', '/api/users/me', { token: user.token });
    // Bronze in the current preset: 1 GB of storage, files up to 10 MB (docs/economy.md).
    expect(before.body.storage).toEqual({ usedBytes: 0, quotaBytes: 1024 ** 3, fileBytesMax: 10 * 1024 ** 2 });

    for (const size of [300, 700]) {
      const fd = new FormData();
      fd.append('file', new Blob([Buffer.alloc(size, 'a')]), `f${size}.txt`);
      expect((await request(srv.url, 'POST', '/api/files', { token: user.token, rawBody: fd })).status).toBe(201);
    }
    const after = await request(srv.url, 'GET', '/api/users/me', { token: user.token });
    expect(after.body.storage.usedBytes).toBe(1000);
  });
});
