import { describe, expect, it } from 'vitest';
import { mergeMessages, setPending, type Timeline } from '../../web/src/features/chat/messages-state.js';
import { COMBO_WINDOW_MS, giftScale, giftSize, nextCombo } from '../../web/src/features/gifts/gift-effects.js';
import { parseRoute } from '../../web/src/state/routes.js';
import type { MessageView } from '../../shared/events.js';

const msg = (id: string, clientMessageId = `c-${id}`): MessageView => ({
  id, roomId: 'r', clientMessageId, author: { id: 'u', username: 'u' }, kind: 'text', body: id, file: null, reactions: {}, createdAt: '2026-01-01T00:00:00.000Z',
});
const empty: Timeline = { messages: [], pending: [] };

describe('web client timeline', () => {
  it('keeps each message once, in id order, whatever order pages and live events arrive in', () => {
    let t = mergeMessages(empty, [msg('03'), msg('04')]);
    t = mergeMessages(t, [msg('01'), msg('02'), msg('03')]);
    t = mergeMessages(t, [msg('04'), msg('05')]);
    expect(t.messages.map((m) => m.id)).toEqual(['01', '02', '03', '04', '05']);
  });

  it('drops a pending message once its clientMessageId is confirmed, by ack or by catch-up', () => {
    let t = setPending(empty, { clientMessageId: 'mine', body: 'hi', state: 'sending' });
    t = setPending(t, { clientMessageId: 'mine', body: 'hi', state: 'failed', error: 'x' });
    expect(t.pending).toEqual([{ clientMessageId: 'mine', body: 'hi', state: 'failed', error: 'x' }]);
    t = mergeMessages(t, [msg('07', 'mine')]);
    expect(t.pending).toEqual([]);
    // A late "sending" for a message already confirmed does not bring it back.
    expect(setPending(t, { clientMessageId: 'mine', body: 'hi', state: 'sending' }).pending).toEqual([]);
  });
});

describe('gift animation rules', () => {
  it('grows with the amount and stays bounded', () => {
    expect(giftScale(1)).toBe(1);
    expect(giftScale(100)).toBeGreaterThan(giftScale(10));
    expect(giftScale(1_000_000_000)).toBe(3);
    expect([giftSize(5), giftSize(50), giftSize(500), giftSize(5000)]).toEqual(['small', 'medium', 'large', 'huge']);
  });

  it('counts a combo while gifts follow each other within the window', () => {
    let c = nextCombo(null, 0);
    c = nextCombo(c, COMBO_WINDOW_MS);
    expect(c.count).toBe(2);
    c = nextCombo(c, 2 * COMBO_WINDOW_MS + 1);
    expect(c.count).toBe(1);
  });
});

describe('web client routes', () => {
  it('maps paths to screens, anything unknown to the chat home', () => {
    expect(parseRoute('/rooms/01ABC')).toEqual({ name: 'chat', roomId: '01ABC' });
    expect(parseRoute('/shop')).toEqual({ name: 'shop' });
    expect(parseRoute('/nope')).toEqual({ name: 'chat', roomId: null });
  });
});
