import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDecayCli } from '../../server/cli/decay.js';
import { decayKey } from '../../server/abuse/decay.js';
import { ManualClock } from '../../server/lib/clock.js';
import { isoWeekKey } from '../../server/economy/rules/periods.js';
import { registerUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, fund, registerAdmin, writeOverrides } from './engagement-fixtures.js';

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
