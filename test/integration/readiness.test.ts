import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { request } from '../support/http.js';

/** /healthz says the process lives; /readyz says whether it can serve (its stores answer). */
describe('readiness', () => {
  it('answers 503 naming the store when the store is down, while /healthz stays 200', async () => {
    const server = await startTestServer({ redis: true });
    try {
      const up = await request(server.url, 'GET', '/readyz');
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ ok: true, checks: { store: 'ok', redis: 'ok' } });

      await server.backend.close();
      const down = await request(server.url, 'GET', '/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ ok: false, checks: { store: 'down', redis: 'ok' } });
      expect((await request(server.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('answers 503 naming Redis when Redis is away', async () => {
    const server = await startTestServer({ redis: true });
    try {
      const redis = server.redis!;
      redis.disconnect();
      for (let i = 0; i < 100 && redis.status === 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
      const down = await request(server.url, 'GET', '/readyz');
      expect(down.status).toBe(503);
      expect(down.body.checks).toEqual({ store: 'ok', redis: 'down' });
    } finally {
      await server.stop();
    }
  });
});
