import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { client } from '../support/http.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, uname, type TestUser } from './chat-fixtures.js';

/** Shared helpers of the engagement suites. */

/** Writes an economy overrides file and returns its path. */
export function writeOverrides(overrides: Record<string, unknown>): string {
  const path = join(tmpdir(), `tc-engagement-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(path, JSON.stringify(overrides));
  return path;
}

/** No streak, tier or weekend multiplier: every award is exactly its base, so amounts are plain to assert. */
export const PLAIN_MULTIPLIERS = {
  multipliers: { streak: [], tier: { bronze: 1, silver: 1, gold: 1, platinum: 1 }, event: { weekend: { enabled: false, multiplier: 1.2 } } },
};

export const day = (iso: string): string => `${iso}T12:00:00.000Z`;

/**
 * A client for `user` with a token signed at the server's current (manual) time: tests that move
 * the clock by days would otherwise outlive the login's token.
 */
export function as(srv: TestServer, user: TestUser, role: 'user' | 'admin' = 'user') {
  return client(srv.url, srv.ctx.tokens.sign({ userId: user.id, username: user.username, role }));
}

/** Claims the daily login as `user` (with a fresh token) and returns the raw response. */
export function claimDaily(srv: TestServer, user: TestUser) {
  return as(srv, user).post('/api/tokens/claim-daily');
}

export async function balanceOf(srv: TestServer, user: TestUser): Promise<number> {
  const res = await as(srv, user).get(`/api/tokens/balance/${user.id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.balance as number;
}

/**
 * Registers a user from a chosen loopback source address (127.0.0.0/8 all reach the server on
 * Linux), so two accounts can have different registration addresses in one test.
 */
export async function registerFrom(srv: TestServer, localAddress: string, extra: Record<string, unknown> = {}, prefix = 'r'): Promise<TestUser> {
  const username = uname(prefix);
  const payload = JSON.stringify({ username, password: PASSWORD, ...extra });
  const url = new URL('/api/auth/register', srv.url);
  const { status, body } = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return { id: body.user.id, username, token: body.token, api: client(srv.url, body.token) };
}

/** Registers an admin (the server must list `adm_` names in ADMIN_USERNAMES) and returns it. */
export async function registerAdmin(srv: TestServer, username: string): Promise<TestUser> {
  const res = await client(srv.url).post('/api/auth/register', { username, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.user.id, username, token: res.body.token, api: client(srv.url, res.body.token) };
}

/** An admin award (POST /api/tokens/award) of `amount` to `userId`. */
export async function fund(admin: TestUser, userId: string, amount: number): Promise<void> {
  const res = await admin.api.post('/api/tokens/award', { userId, amount, reason: 'test funding', requestId: `fund-${randomBytes(6).toString('hex')}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}
