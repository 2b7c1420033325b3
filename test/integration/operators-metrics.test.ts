import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { emitAck } from '../support/socket.js';
import { sample } from '../support/prometheus.js';
import { socketPool, chatRoom } from './chat-fixtures.js';
import { giftUser, makeAdmin, sendGift } from './gifts-fixtures.js';

const TOKEN = 'metrics-token-0123456789';

async function scrape(srv: TestServer): Promise<string> {
  const res = await request<string>(srv.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.body;
}

describe('GET /metrics exposure', () => {
  it('is not served at all when neither METRICS_PORT nor METRICS_TOKEN is set', async () => {
    const srv = await startTestServer();
    try {
      const res = await request(srv.url, 'GET', '/metrics');
      expect(res.status).toBe(404);
      expect(srv.metricsPort).toBeNull();
    } finally {
      await srv.stop();
    }
  });

  it('with METRICS_TOKEN: 401 without or with a wrong bearer, 200 with it', async () => {
    const srv = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
    try {
      const anon = await request(srv.url, 'GET', '/metrics');
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHENTICATED');
      expect((await request(srv.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      const text = await scrape(srv);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    } finally {
      await srv.stop();
    }
  });

  it('with METRICS_PORT: served on its own listener only, and the token still applies there', async () => {
    const srv = await startTestServer({ env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN } });
    try {
      expect(srv.metricsPort).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${srv.metricsPort}`;
      expect((await request(srv.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
      expect((await request(base, 'GET', '/metrics')).status).toBe(401);
      const ok = await request<string>(base, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('token_supply_invariant_ok');
      const other = await request(base, 'GET', '/api/rooms');
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await srv.stop();
    }
  });
});

describe('metric values after known traffic', () => {
  let srv: TestServer;
  const sockets = socketPool();
  beforeAll(async () => {
    srv = await startTestServer({ env: { METRICS_TOKEN: TOKEN }, redis: true });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  it('N messages -> the event counter, the ack histogram and the award counter say N', async () => {
    const before = await scrape(srv);
    const { memberSock, room } = await chatRoom(srv, sockets);
    const N = 7;
    for (let i = 0; i < N; i++) {
      const ack = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: `m-${i}`, body: `hello number ${i}` });
      expect(ack.ok).toBe(true);
    }
    const bad = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'bad', body: '' });
    expect(bad.ok).toBe(false);
    const text = await scrape(srv);
    const delta = (name: string, labels: Record<string, string>) => sample(text, name, labels) - sample(before, name, labels);
    expect(delta('socketio_events_total', { event: 'message:send', code: 'ok' })).toBe(N);
    expect(delta('socketio_events_total', { event: 'message:send', code: 'VALIDATION_FAILED' })).toBe(1);
    expect(delta('socketio_ack_duration_seconds_count', { event: 'message:send' })).toBe(N + 1);
    // Every accepted message went through the award pipeline once, granted or refused.
    expect(delta('token_awards_total', { activity: 'send_message' })).toBe(N);
    expect(sample(text, 'socketio_connected_sockets')).toBe(2);
    expect(sample(text, 'redis_up')).toBe(1);
    expect(sample(text, 'store_up')).toBe(1);
    expect(delta('http_requests_total', { method: 'POST', route: '/api/auth/register', status: '201', code: 'ok' })).toBe(2);
    expect(delta('http_requests_total', { method: 'POST', route: '/api/rooms', status: '201' })).toBe(1);
  });

  it('gifts, awards of tokens and refusals are counted from what the ledger wrote', async () => {
    const admin = await makeAdmin(srv);
    const alice = await giftUser(srv, 'alice', { admin, balance: 100 });
    const bob = await giftUser(srv, 'bob');
    const sock = await sockets.open(srv, alice);
    const before = await scrape(srv);
    const requestId = 'metrics-gift-1';
    expect((await sendGift(sock, { toUserId: bob.id, amount: 10, requestId })).ok).toBe(true);
    // The retry is a duplicate: acked ok, nothing new written, not counted again.
    expect((await sendGift(sock, { toUserId: bob.id, amount: 10, requestId })).ok).toBe(true);
    const refused = await sendGift(sock, { toUserId: bob.id, amount: 10, pin: '9999' });
    expect(refused.ok).toBe(false);
    const text = await scrape(srv);
    expect(sample(text, 'token_gifts_total') - sample(before, 'token_gifts_total')).toBe(1);
    expect(sample(text, 'ledger_tokens_moved_total', { kind: 'gift' }) - sample(before, 'ledger_tokens_moved_total', { kind: 'gift' })).toBe(10);
    expect(sample(text, 'socketio_events_total', { event: 'gift:send', code: 'PIN_INVALID' }) - sample(before, 'socketio_events_total', { event: 'gift:send', code: 'PIN_INVALID' })).toBe(1);
    expect(sample(text, 'ledger_commit_entries_count', { outcome: 'committed' })).toBeGreaterThan(sample(before, 'ledger_commit_entries_count', { outcome: 'committed' }));
  });

  it('refusals by a limit are counted as rate-limit refusals, by transport and code; unknown paths as (unmatched)', async () => {
    const carol = await giftUser(srv, 'carol');
    const dave = await giftUser(srv, 'dave');
    const sock = await sockets.open(srv, carol);
    const before = await scrape(srv);
    let code = '';
    let wrong = 0;
    // Wrong PINs until the lockout answers (the number of attempts is the economy's, bounded here).
    while (code !== 'PIN_LOCKED' && wrong < 20) {
      const ack = await sendGift(sock, { toUserId: dave.id, amount: 1, pin: '0000' });
      code = ack.ok ? 'ok' : ack.error.code;
      wrong++;
    }
    expect(code).toBe('PIN_LOCKED');
    await request(srv.url, 'GET', '/api/no/such/route');
    const text = await scrape(srv);
    const delta = (name: string, labels: Record<string, string>) => sample(text, name, labels) - sample(before, name, labels);
    expect(delta('rate_limit_refusals_total', { transport: 'socket', code: 'PIN_LOCKED' })).toBe(1);
    expect(delta('socketio_events_total', { event: 'gift:send', code: 'PIN_INVALID' })).toBe(wrong - 1);
    expect(delta('http_requests_total', { method: 'GET', route: '(unmatched)', status: '404', code: 'ROUTE_NOT_FOUND' })).toBe(1);
  });

  it('the supply gauges match the audit, and the invariant flips to 0 when a balance is corrupted', async () => {
    await srv.ctx.ledger.flush();
    await srv.ctx.supply.refresh();
    const audit = await srv.ctx.ledger.audit();
    expect(audit.ok).toBe(true);
    let text = await scrape(srv);
    expect(sample(text, 'token_supply_invariant_ok')).toBe(1);
    expect(sample(text, 'token_supply_minted')).toBe(audit.minted);
    expect(sample(text, 'token_supply_burned')).toBe(audit.burned);
    expect(sample(text, 'token_supply_circulating')).toBe(audit.userBalanceSum);
    expect(audit.userBalanceSum).toBeGreaterThan(0);

    // Corrupt one cached balance behind the ledger's back, as a bad migration would.
    if (srv.backend.kind !== 'sqlite') throw new Error('this test corrupts the SQLite file');
    const { account } = srv.backend.db.prepare<[], { account: string }>("SELECT account FROM ledger_accounts WHERE account LIKE 'user:%' AND balance > 0 LIMIT 1").get()!;
    srv.backend.db.prepare('UPDATE ledger_accounts SET balance = balance + 5 WHERE account = ?').run(account);
    await srv.ctx.supply.refresh();
    text = await scrape(srv);
    expect(sample(text, 'token_supply_invariant_ok')).toBe(0);
    expect(sample(text, 'token_supply_circulating')).toBe(audit.userBalanceSum + 5);
    srv.backend.db.prepare('UPDATE ledger_accounts SET balance = balance - 5 WHERE account = ?').run(account);
    await srv.ctx.supply.refresh();
    expect(sample(await scrape(srv), 'token_supply_invariant_ok')).toBe(1);
  });

  it('the gauges refresh on their own, on METRICS_SUPPLY_REFRESH_MS', async () => {
    const fast = await startTestServer({ env: { METRICS_TOKEN: TOKEN, METRICS_SUPPLY_REFRESH_MS: '100' } });
    try {
      const admin = await makeAdmin(fast);
      await giftUser(fast, 'rich', { admin, balance: 40 });
      const deadline = Date.now() + 5000;
      let circulating = 0;
      // Polls the scrape (no sleep-and-hope): the timer, not the test, must move the gauge.
      while (Date.now() < deadline) {
        circulating = sample(await scrape(fast), 'token_supply_circulating');
        if (circulating === (await fast.ctx.ledger.audit()).userBalanceSum && circulating >= 40) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(circulating).toBe((await fast.ctx.ledger.audit()).userBalanceSum);
    } finally {
      await fast.stop();
    }
  });
});

describe('deploy/ monitoring files', () => {
  it('every metric the Grafana dashboard and the alert rules query is one this server exports', async () => {
    const srv = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
    try {
      const exported = new Set((await scrape(srv)).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
      const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/token-chat.json', 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
      const queries = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), readFileSync('deploy/prometheus/alerts.yml', 'utf8')].join('\n');
      // Metric names are the identifiers with an underscore followed by a selector, a range or a closing parenthesis.
      const named = new Set([...queries.matchAll(/\b([a-z][a-z0-9]*_[a-z0-9_]*)(?=[{[)\s])/g)].map((m) => m[1]!).filter((n) => n !== 'histogram_quantile'));
      const base = (n: string) => n.replace(/_(bucket|count|sum)$/, '');
      expect([...named].filter((n) => !exported.has(n) && !exported.has(base(n)))).toEqual([]);
      expect(named.size).toBeGreaterThan(15);
    } finally {
      await srv.stop();
    }
  });
});
