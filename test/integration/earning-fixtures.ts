import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { request } from '../support/http.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server.js';
import type { TestUser } from './chat-fixtures.js';

/** A Wednesday noon UTC: no weekend bonus, far from any day or week boundary. */
export const WEDNESDAY = '2026-11-25T12:00:00.000Z';

export interface EarningServer extends TestServer {
  clock: ManualClock;
  /** Rewrites the overrides file (then reload it through the admin endpoint or SIGHUP). */
  writeOverrides(overrides: unknown): void;
}

/**
 * A server with real Redis, a ManualClock on a weekday and ECONOMY_OVERRIDES_FILE pointing at a
 * temporary JSON file holding `overrides` (small caps keep the tests fast).
 */
export async function startEarningServer(overrides: unknown = {}, opts: TestServerOptions = {}): Promise<EarningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-economy-'));
  const file = join(dir, 'economy.json');
  const writeOverrides = (o: unknown): void => writeFileSync(file, JSON.stringify(o));
  writeOverrides(overrides);
  const clock = new ManualClock(WEDNESDAY);
  // These suites move the clock by days under open sockets (someone who stays connected and
  // whose client refreshes its token): a token that outlives the jumps keeps them connected.
  const srv = await startTestServer({ redis: true, clock, ...opts, env: { JWT_TTL_SECONDS: String(30 * 86_400), ECONOMY_OVERRIDES_FILE: file, ...opts.env } });
  return {
    ...srv,
    clock,
    writeOverrides,
    stop: async () => {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const balanceOf = async (srv: TestServer, userId: string): Promise<number> => (await srv.ctx.ledger.account(userId)).balance;

/** Uploads a small file as `user` and returns its id. */
export async function uploadFile(srv: TestServer, user: TestUser, name = 'photo.bin'): Promise<string> {
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.from(`bytes of ${name}`)], { type: 'application/octet-stream' }), name);
  const res = await request(srv.url, 'POST', '/api/files', { token: user.token, rawBody: fd });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.file.id as string;
}
