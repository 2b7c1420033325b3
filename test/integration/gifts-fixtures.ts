import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { expect } from 'vitest';
import { client } from '../support/http.js';
import { emitAck, type TestSocket } from '../support/socket.js';
import type { TestServer } from '../support/server.js';
import { registerUser, PASSWORD, type TestUser } from './chat-fixtures.js';

/** Helpers shared by the gift, PIN, reward, notification and multi-node suites. */

export const PIN = '1234';

export async function makeAdmin(srv: TestServer): Promise<TestUser> {
  const user = await registerUser(srv, 'admin');
  await srv.ctx.stores.users.setRole(user.id, 'admin');
  const token = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'admin' });
  return { ...user, token, api: client(srv.url, token) };
}

export async function balanceOf(user: TestUser): Promise<number> {
  const res = await user.api.get(`/api/tokens/balance/${user.id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.balance as number;
}

/** Brings `user`'s balance up to exactly `target` with an admin award (whatever registration paid). */
export async function fundTo(admin: TestUser, user: TestUser, target: number): Promise<void> {
  const missing = target - (await balanceOf(user));
  expect(missing).toBeGreaterThanOrEqual(0);
  if (missing === 0) return;
  const res = await admin.api.post('/api/tokens/award', { userId: user.id, amount: missing, reason: 'test funding', requestId: `fund-${randomBytes(6).toString('hex')}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

export async function setPin(user: TestUser, pin = PIN): Promise<void> {
  const res = await user.api.post('/api/tokens/pin', { password: PASSWORD, pin });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A registered user with a PIN (and, with `admin`, a balance of exactly `balance`). */
export async function giftUser(srv: TestServer, prefix: string, opts: { admin?: TestUser; balance?: number } = {}): Promise<TestUser> {
  const user = await registerUser(srv, prefix);
  await setPin(user);
  if (opts.admin && opts.balance !== undefined) await fundTo(opts.admin, user, opts.balance);
  return user;
}

export function rid(label = 'g'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

export function sendGift(socket: TestSocket, payload: { toUserId: string; amount: number; pin?: string; message?: string; roomId?: string; requestId?: string }) {
  return emitAck(socket, 'gift:send', { pin: PIN, requestId: rid(), ...payload });
}

/** Writes an economy overrides file (deep-merged over the preset) and returns its path. */
export function overridesFile(overrides: Record<string, unknown>): string {
  const path = join(tmpdir(), `tc-economy-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(path, JSON.stringify(overrides));
  return path;
}

/** Today's gift usage of `userId` from the shared counters. */
export function giftUsage(srv: TestServer, userId: string) {
  return srv.ctx.counters.budgets.usage({ scope: 'gift', key: userId, at: srv.ctx.clock.now() });
}
