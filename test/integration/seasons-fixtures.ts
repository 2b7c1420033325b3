import { expect } from 'vitest';
import type { SeasonView } from '../../shared/seasons.js';
import type { TestServer } from '../support/server.js';
import { emitAck, type TestSocket } from '../support/socket.js';
import type { TestUser } from './chat-fixtures.js';
import type { EarningServer } from './earning-fixtures.js';

/** Helpers of the season suites (issue 13, part C). */

/** Sweeper off: the tests decide when a season closes. */
export const NO_SWEEP = { seasons: { closeCheckSeconds: 0 } };

/** Defines a season through the admin route and returns it. */
export async function defineSeason(admin: TestUser, srv: EarningServer, opts: { minutes: number; multiplier?: number; rewards?: Array<{ fromRank: number; toRank: number; tokens: number }>; name?: string }): Promise<SeasonView> {
  const now = srv.clock.now().getTime();
  const res = await admin.api.post('/api/admin/seasons', {
    name: opts.name ?? 'Test season',
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + opts.minutes * 60_000).toISOString(),
    ...(opts.multiplier !== undefined ? { multiplier: opts.multiplier } : {}),
    rewards: opts.rewards ?? [],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.season as SeasonView;
}

/** Sends `count` messages and returns the tokens their awards granted. */
export async function chatter(socket: TestSocket, roomId: string, count: number, label: string): Promise<number> {
  let granted = 0;
  for (let i = 0; i < count; i++) {
    const ack = await emitAck(socket, 'message:send', { roomId, clientMessageId: `${label}-${i}`, body: `${label} says ${i}` });
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    granted += ack.data.award?.granted ?? 0;
  }
  return granted;
}

/** Asserts the ledger audit (every invariant) holds. */
export async function expectAuditOk(srv: TestServer): Promise<void> {
  await srv.ctx.ledger.flush();
  const report = await srv.ctx.ledger.audit();
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}
