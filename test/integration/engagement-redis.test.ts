import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { EMPTY_LOGIN_RECORD } from '../../server/engagement/ports.js';
import { capLimitsFor } from '../../server/economy/rules/caps.js';
import { startTestServer, type TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { client } from '../support/http.js';
import { registerUser } from './chat-fixtures.js';
import { PLAIN_MULTIPLIERS, balanceOf, claimDaily, day, writeOverrides } from './engagement-fixtures.js';

/**
 * The daily claim with real Redis counters: shared by two nodes, and undone when Redis is down.
 * Node B of the two-node scenario is a separate process (server/main.ts) with the same economy
 * config, reached only over the wire (issue 15). A process runs on the real clock, so both nodes
 * do: the claim is for today, and the shared counters are read for now.
 */
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('daily claim on two nodes', () => {
  let a: TestServer;
  let b: NodeProcess;
  useNodePair({ ECONOMY_OVERRIDES_FILE: writeOverrides(PLAIN_MULTIPLIERS) }, (pair) => ({ a, b } = pair));

  it('two nodes over one store and one Redis: a day is claimed once whichever node is asked', async () => {
    const u = await registerUser(a, 'nodes');
    const start = await balanceOf(a, u);
    const onB = client(b.url, u.token);
    const results = await Promise.all([claimDaily(a, u), onB.post('/api/tokens/claim-daily'), claimDaily(a, u), onB.post('/api/tokens/claim-daily')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const onBBalance = await onB.get(`/api/tokens/balance/${u.id}`);
    expect(onBBalance.body.balance).toBe(start + 10);
    const usage = await a.ctx.counters.caps.usage({ userId: u.id, activity: 'daily_login', at: a.ctx.clock.now(), limits: capLimitsFor('daily_login', a.ctx.economy.current) });
    // registration (10) and the one daily login (10) count towards the shared daily total.
    expect(usage.usage).toMatchObject({ activityEvents: 1, dailyTokens: 20 });
  });
});

describe('daily claim on Redis counters', () => {

  it('Redis down: the claim answers CAPS_UNAVAILABLE and is undone, so nothing is recorded or paid', async () => {
    const clock = new ManualClock(day('2026-01-05'));
    const srv = await startTestServer({ clock, redis: true });
    servers.push(srv);
    const u = await registerUser(srv, 'down');
    const start = await balanceOf(srv, u);
    srv.redis!.disconnect();
    const res = await claimDaily(srv, u);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('CAPS_UNAVAILABLE');
    expect(await srv.ctx.engagement.store.login(u.id)).toEqual(EMPTY_LOGIN_RECORD);
    expect(await balanceOf(srv, u)).toBe(start);
  });
});
