import { expect } from 'vitest';
import type { SeasonView } from '../../shared/seasons.js';
import type { TestServer } from '../support/server.js';
import { emitAck, type TestSocket } from '../support/socket.js';
import type { TestUser } from './chat-fixtures.js';
import type { EarningServer } from './earning-fixtures.js';
import { SEASON_SETTLE_MS } from '../../server/seasons/rules.js';

/** Helpers of the season suites (issue 13, part C). */

/** Sweeper off: the tests decide when a season closes. */
export const NO_SWEEP = { seasons: { closeCheckSeconds: 0 } };

type SeasonOptions = { multiplier?: number; rewards?: Array<{ fromRank: number; toRank: number; tokens: number }>; name?: string };

/** Defines a season through the admin route and returns it. */
export async function defineSeason(admin: TestUser, srv: EarningServer, opts: { minutes: number } & SeasonOptions): Promise<SeasonView> {
  const now = srv.clock.now().getTime();
  return postSeason(admin, now, now + opts.minutes * 60_000, opts);
}

/**
 * Defines a season on the real clock, running from now for `seconds`: the two-node suites run
 * node B as a process (issue 15), which cannot share a manual clock with the test.
 */
export function defineRealTimeSeason(admin: TestUser, opts: { seconds: number } & SeasonOptions): Promise<SeasonView> {
  const now = Date.now();
  return postSeason(admin, now, now + opts.seconds * 1000, opts);
}

/**
 * Resolves at the first instant `season` may be closed on the real clock (its end plus
 * SEASON_SETTLE_MS). A wait for a known instant, not a guess: no event marks it, and reading the
 * season to find out would close it lazily.
 */
export async function untilClosable(season: SeasonView): Promise<void> {
  const at = Date.parse(season.endsAt) + SEASON_SETTLE_MS;
  while (Date.now() < at) await new Promise((resolve) => setTimeout(resolve, at - Date.now() + 1));
}

async function postSeason(admin: TestUser, startsAt: number, endsAt: number, opts: SeasonOptions): Promise<SeasonView> {
  const res = await admin.api.post('/api/admin/seasons', {
    name: opts.name ?? 'Test season',
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
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
