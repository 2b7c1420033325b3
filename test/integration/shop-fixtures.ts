import { expect } from 'vitest';
import type { TestServer } from '../support/server.js';
import type { TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { PIN, rid } from './gifts-fixtures.js';

/** Helpers shared by the shop suites. Requests are signed at the server's (manual) time. */

export function buy(srv: TestServer, user: TestUser, itemId: string, extra: { pin?: string; requestId?: string; roomId?: string; messageId?: string } = {}) {
  return as(srv, user).post('/api/shop/purchase', { itemId, pin: PIN, requestId: rid('buy'), ...extra });
}

/** Buys `itemId` and expects it to succeed; returns the purchase id. */
export async function bought(srv: TestServer, user: TestUser, itemId: string, extra: { roomId?: string; messageId?: string } = {}): Promise<string> {
  const res = await buy(srv, user, itemId, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.purchase.id as string;
}

export function refund(srv: TestServer, user: TestUser, purchaseId: string, pin = PIN) {
  return as(srv, user).post('/api/shop/refund', { purchaseId, pin });
}

export async function owned(srv: TestServer, user: TestUser, of: TestUser = user) {
  const res = await as(srv, user).get(`/api/shop/owned/${of.id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { active: Array<{ id: string; itemId: string; state: string }>; expired: Array<{ id: string; itemId: string; state: string }> };
}
