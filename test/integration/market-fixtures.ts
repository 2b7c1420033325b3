import { expect } from 'vitest';
import { request } from '../support/http.js';
import type { TestServer } from '../support/server.js';
import type { TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { PIN, rid } from './gifts-fixtures.js';
import { SINK } from '../../server/ledger/ports.js';

/** Helpers shared by the market suites (issue 13). Requests are signed at the server's (manual) time. */

export function listItem(srv: TestServer, user: TestUser, purchaseId: string, price: number, requestId = rid('list')) {
  return as(srv, user).post('/api/market/listings', { purchaseId, price, requestId });
}

/** Lists and expects 201; returns the listing id. */
export async function listed(srv: TestServer, user: TestUser, purchaseId: string, price: number): Promise<string> {
  const res = await listItem(srv, user, purchaseId, price);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.listing.id as string;
}

export function buyListing(srv: TestServer, user: TestUser, listingId: string, extra: { pin?: string; requestId?: string } = {}) {
  return as(srv, user).post(`/api/market/listings/${listingId}/buy`, { pin: PIN, requestId: rid('mbuy'), ...extra });
}

export function cancelListing(srv: TestServer, user: TestUser, listingId: string, role: 'user' | 'admin' = 'user') {
  return as(srv, user, role).del(`/api/market/listings/${listingId}`);
}

export function equip(srv: TestServer, user: TestUser, changes: Record<string, string | null>) {
  return request(srv.url, 'PATCH', '/api/users/me/cosmetics', { token: srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' }), body: changes });
}

/** Balances of the users and the sink, read from the ledger. */
export async function balances(srv: TestServer, users: TestUser[]): Promise<{ users: number[]; sink: number }> {
  const accounts = await srv.ctx.ledger.accounts(users.map((u) => u.id));
  const flows = await srv.ctx.ledger.queries.netFlows([SINK]);
  return { users: users.map((u) => accounts[u.id]?.balance ?? 0), sink: flows[SINK] ?? 0 };
}

/** The ledger audit must be clean. */
export async function expectCleanAudit(srv: TestServer): Promise<void> {
  await srv.ctx.ledger.flush();
  const audit = await srv.ctx.ledger.audit();
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
}
