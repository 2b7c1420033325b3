import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);

/** README "Try it" is examples/walkthrough.ts: run here, as a user would, against a real server. */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

describe('examples/walkthrough.ts', () => {
  it('registers, chats, gifts and buys against a real server, and the ledger agrees', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/walkthrough.ts', srv.url], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!);
    expect(lines.some((l) => l.includes('bob saw "Hello, Bob!"'))).toBe(true);
    await srv.ctx.ledger.flush();
    expect((await srv.ctx.ledger.account(result.alice.id)).balance).toBe(result.alice.balance);
    expect((await srv.ctx.ledger.account(result.bob.id)).balance).toBe(result.bob.balance);
    const gift = await srv.ctx.ledger.findByIdempotencyKey((await srv.ctx.ledger.history(result.bob.id, { kind: 'gift', limit: 1 })).items[0]!.idempotencyKey);
    expect(gift?.legs).toEqual(expect.arrayContaining([{ account: `user:${result.bob.id}`, amount: 5 }]));
    const spends = (await srv.ctx.ledger.history(result.alice.id, { kind: 'spend', limit: 5 })).items;
    expect(spends.map((e) => [e.roomId, e.legs.find((l) => l.account === `user:${result.alice.id}`)?.amount])).toEqual([[result.roomId, -10]]);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  }, 60_000);
});
