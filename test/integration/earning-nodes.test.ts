import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../support/server.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

describe('two server instances sharing one Redis and one data directory', () => {
  let a: EarningServer;
  let b: EarningServer;
  beforeAll(async () => {
    const prefix = uniquePrefix();
    const overrides = { caps: { activityDailyEvents: { send_message: 3 } } };
    a = await startEarningServer(overrides, { redis: { prefix } });
    b = await startEarningServer(overrides, { redis: { prefix }, dataDir: a.dataDir });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('share the caps: messages sent through either node count against one daily cap', async () => {
    const owner = await registerUser(a, 'Owner');
    const room = await createRoom(owner);
    const onA = await sockets.open(a, owner);
    const onB = await sockets.open(b, owner);
    await joinRoom(onA, room.id);
    const before = await balanceOf(a, owner.id);
    const granted: unknown[] = [];
    for (const [i, sock] of [onA, onB, onA, onB].entries()) {
      const ack = await emitAck(sock, 'message:send', { roomId: room.id, clientMessageId: `two-${i}`, body: 'hi' });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      granted.push(ack.data.award);
    }
    expect(granted).toEqual([
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 0, reason: 'ACTIVITY_CAP' },
    ]);
    expect(await balanceOf(b, owner.id)).toBe(before + 3);
    const capOnB = await owner.api.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(capOnB.body.remaining.activityEvents).toBe(0);
  });
});
