import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDecayCli } from '../../server/cli/decay.js';
import { decayKey } from '../../server/abuse/decay.js';
import { ManualClock } from '../../server/lib/clock.js';
import { isoWeekKey } from '../../server/economy/rules/periods.js';
import { registerUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, as, fund, registerAdmin, writeOverrides } from './engagement-fixtures.js';
import { collect, connect, waitFor } from '../support/socket.js';

/**
 * `npm run economy:decay` as a function over a live server's SQLite file: disabled by default,
 * weekly and idempotent per ISO week, inactive users only, the audit stays clean.
 */
const DAY_MS = 86_400_000;
let srv: EarningServer;

beforeAll(async () => {
  srv = await startEarningServer(PLAIN_MULTIPLIERS, { redis: false, env: { ADMIN_USERNAMES: 'adm_decay' } });
});
afterAll(async () => {
  await srv.stop();
});

const cliEnv = (overrides: Record<string, unknown> | null) => ({
  DATA_DIR: srv.dataDir,
  ...(overrides ? { ECONOMY_OVERRIDES_FILE: writeOverrides(overrides) } : {}),
});
const ENABLED = { decay: { enabled: true, inactiveDays: 30, percentPerWeek: 10 } };

describe('economy:decay', () => {
  it('decays inactive balances once per ISO week and leaves active users alone', async () => {
    const admin = await registerAdmin(srv, 'adm_decay');
    const idle = await registerUser(srv, 'idle');
    await fund(admin, idle.id, 190);
    expect(await balanceOf(srv, idle.id)).toBe(200);

    const clock = new ManualClock(srv.clock.now());
    expect(await runDecayCli(cliEnv(null), clock)).toMatchObject({ enabled: false, examined: 0, decayed: [] });
    expect((await runDecayCli(cliEnv(ENABLED), clock)).decayed).toEqual([]);

    clock.advance(31 * DAY_MS);
    // Someone active in the meantime: an earning 29 days after registration.
    srv.clock.advance(29 * DAY_MS);
    const active = await registerUser(srv, 'active');
    const report = await runDecayCli(cliEnv(ENABLED), clock);
    expect(report.week).toBe(isoWeekKey(clock.now()));
    expect(report.decayed.map((d) => [d.userId, d.amount])).toContainEqual([idle.id, 20]);
    expect(report.decayed.map((d) => d.userId)).not.toContain(active.id);
    expect(await balanceOf(srv, idle.id)).toBe(180);
    const entry = await srv.ctx.ledger.findByIdempotencyKey(decayKey(idle.id, report.week));
    expect(entry).toMatchObject({ kind: 'decay', actorId: null });

    // A second run in the same week posts nothing.
    const again = await runDecayCli(cliEnv(ENABLED), clock);
    expect(again.decayed).toEqual([]);
    expect(again.alreadyDone).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(srv, idle.id)).toBe(180);

    clock.advance(7 * DAY_MS);
    const nextWeek = await runDecayCli(cliEnv(ENABLED), clock);
    expect(nextWeek.decayed.find((d) => d.userId === idle.id)?.amount).toBe(18);
    expect(await balanceOf(srv, idle.id)).toBe(162);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });
});

describe('POST /api/admin/economy/decay', () => {
  let live: EarningServer;
  beforeAll(async () => {
    live = await startEarningServer({ ...PLAIN_MULTIPLIERS, ...ENABLED }, { redis: false, env: { ADMIN_USERNAMES: 'adm_live' } });
  });
  afterAll(async () => {
    await live.stop();
  });

  it('runs the decay inside the server and pushes tokens:balance to a connected user; admins only; once a week', async () => {
    const admin = await registerAdmin(live, 'adm_live');
    const idle = await registerUser(live, 'idle');
    await fund(admin, idle.id, 190);
    const sock = await connect(live.url, idle.token);
    try {
      live.clock.advance(31 * DAY_MS);
      expect((await as(live, idle).post('/api/admin/economy/decay')).status).toBe(403);

      const pushed = waitFor(sock, 'tokens:balance', (e) => e.balance === 180);
      const res = await as(live, admin, 'admin').post('/api/admin/economy/decay');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ enabled: true, week: isoWeekKey(live.clock.now()) });
      expect(res.body.decayed.map((d: { userId: string; amount: number }) => [d.userId, d.amount])).toContainEqual([idle.id, 20]);
      expect(await pushed).toMatchObject({ balance: 180 });
      expect(await balanceOf(live, idle.id)).toBe(180);

      // The same week again (route or CLI): nothing is posted, nothing is pushed.
      const seen = collect(sock, 'tokens:balance');
      const again = await as(live, admin, 'admin').post('/api/admin/economy/decay');
      expect(again.body.decayed).toEqual([]);
      expect(again.body.alreadyDone).toBeGreaterThanOrEqual(1);
      expect((await runDecayCli({ DATA_DIR: live.dataDir, ECONOMY_OVERRIDES_FILE: writeOverrides(ENABLED) }, new ManualClock(live.clock.now()))).decayed).toEqual([]);
      expect(await balanceOf(live, idle.id)).toBe(180);
      expect(seen).toEqual([]);
      expect((await live.ctx.ledger.audit()).ok).toBe(true);
    } finally {
      sock.disconnect();
    }
  });
});
