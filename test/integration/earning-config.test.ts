import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { waitFor } from '../support/socket.js';
import { registerUser, socketPool } from './chat-fixtures.js';
import { startEarningServer, type EarningServer } from './earning-fixtures.js';

describe('economy config endpoint and reload', () => {
  let srv: EarningServer;
  let adminApi: ReturnType<typeof client>;
  beforeAll(async () => {
    srv = await startEarningServer({ caps: { dailyTotalTokens: 400 } }, { redis: false, env: { ADMIN_USERNAMES: 'econ_admin_x' } });
    const reg = await client(srv.url).post('/api/auth/register', { username: 'econ_admin_x', password: 'correct horse battery' });
    expect(reg.status).toBe(201);
    adminApi = client(srv.url, reg.body.token);
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('GET /api/economy/config shows the active values without authentication', async () => {
    const res = await client(srv.url).get('/api/economy/config');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, preset: 'current', enabled: true });
    expect(res.body.config.caps.dailyTotalTokens).toBe(400);
    expect(res.body.config.activities.send_message).toEqual({ tokens: 1, per: 'unlimited' });
  });

  it('admin reload applies a changed file, and refuses an invalid one keeping the active config', async () => {
    const admin = await registerUser(srv, 'Plain');
    expect((await admin.api.post('/api/admin/economy/reload')).status).toBe(403);

    srv.writeOverrides({ caps: { dailyTotalTokens: 450 } });
    const ok = await adminApi.post('/api/admin/economy/reload');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ version: 2 });
    expect((await client(srv.url).get('/api/economy/config')).body).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 450 } } });
    expect((await admin.api.post('/api/tokens/check-cap', { activity: 'send_message' })).body.remaining.dailyTokens).toBe(450 - 10); // registration paid 10

    srv.writeOverrides({ caps: { dailyTotalTokens: -1 } });
    const bad = await adminApi.post('/api/admin/economy/reload');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'ECONOMY_CONFIG_INVALID', details: { version: 2, issues: [expect.objectContaining({ path: 'caps.dailyTotalTokens' })] } });
    expect((await client(srv.url).get('/api/economy/config')).body).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 450 } } });
  });

  it('an admin award is pushed like any balance change: tokens:balance and tier:changed', async () => {
    const sockets = socketPool();
    try {
      const user = await registerUser(srv, 'Awarded'); // 10 from registration
      const sock = await sockets.open(srv, user);
      const balance = waitFor(sock, 'tokens:balance');
      const changed = waitFor(sock, 'tier:changed');
      const res = await adminApi.post('/api/tokens/award', { userId: user.id, amount: 150, reason: 'launch', requestId: 'launch-1' });
      expect(res.status).toBe(201);
      expect(await balance).toEqual({ balance: 160, tier: 'silver' });
      expect(await changed).toMatchObject({ from: 'bronze', to: 'silver' });
    } finally {
      sockets.closeAll();
    }
  });
});
