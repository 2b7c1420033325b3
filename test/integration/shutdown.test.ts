import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/ack.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { connect } from '../support/socket.js';
import { request } from '../support/http.js';
import { createRoom, registerUser } from './chat-fixtures.js';

/**
 * SIGTERM drains: new events are refused, in-flight ones finish and are acked before the
 * sockets close, and the stores close last. Checked by restarting on the same data: every
 * stored message was acked ok, and every message acked ok was stored.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'tc-shutdown-'));
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('acks every in-flight write before closing, and refuses the rest without writing', async () => {
    const first = await startTestServer({ dataDir });
    servers.push(first);
    const owner = await registerUser(first, 'Drainer');
    const room = await createRoom(owner);
    const socket = await connect(first.url, owner.token);

    // Hold each send for a moment so several are mid-handler when the shutdown starts.
    const send = first.ctx.messageService.send.bind(first.ctx.messageService);
    first.ctx.messageService.send = async (...args: Parameters<typeof send>) => {
      await new Promise((r) => setTimeout(r, 60));
      return send(...args);
    };

    const acks = new Map<string, Ack<unknown>>();
    const emitSend = (id: string): void => {
      socket.emit('message:send', { roomId: room.id, clientMessageId: id, body: `body ${id}` }, (ack) => acks.set(id, ack as Ack<unknown>));
    };
    for (let i = 0; i < 8; i++) emitSend(`early-${i}`);
    await new Promise((r) => setTimeout(r, 25)); // the early ones are now inside the handler
    const closing = first.close();
    for (let i = 0; i < 4; i++) emitSend(`late-${i}`);
    await closing;
    await new Promise((r) => setTimeout(r, 50));
    socket.close();

    const okIds = [...acks].filter(([, a]) => a.ok).map(([id]) => id).sort();
    const refused = [...acks].filter(([, a]) => !a.ok).map(([, a]) => (a as { error: { code: string } }).error.code);
    // The early sends were on the server before the shutdown began: each got its ack, and most
    // (those already inside the handler) were accepted.
    for (let i = 0; i < 8; i++) expect(acks.has(`early-${i}`)).toBe(true);
    expect(okIds.length).toBeGreaterThan(0);
    expect(okIds.every((id) => id.startsWith('early-'))).toBe(true);
    expect(new Set(refused)).toEqual(new Set(refused.length ? ['SERVICE_UNAVAILABLE'] : []));

    const second = await startTestServer({ dataDir });
    servers.push(second);
    const history = await request(second.url, 'GET', `/api/rooms/${room.id}/messages?limit=100`, { token: owner.token });
    expect(history.status).toBe(200);
    const storedIds = (history.body.messages as Array<{ clientMessageId: string }>).map((m) => m.clientMessageId).sort();
    expect(storedIds).toEqual(okIds);
  });
});
