import { client } from '../support/http.js';
import type { TestServer } from '../support/server.js';
import type { TestUser } from './chat-fixtures.js';

/** Helpers of the economy-integrity suites (issue 9). */

/** `user` with a token signed at the server's (manual) clock, so it outlives clock moves in a test. */
export function freshUser(srv: TestServer, user: TestUser): TestUser {
  const token = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' });
  return { ...user, token, api: client(srv.url, token) };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
