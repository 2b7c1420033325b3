import { describe, expect, it } from 'vitest';
import { applyCatchUp, markDeleted, mergeMessages, newestId, replaceMessage, setPending, type Timeline } from '../../web/src/features/chat/messages-state.js';
import { addTypist, pruneTypists, removeTypist, shouldSendTyping, typingLine, TYPING_RENEW_MS, TYPING_SHOW_MAX_MS } from '../../web/src/features/chat/typing-state.js';
import { applyRead, countNewMessage, countText } from '../../web/src/features/rooms/unread.js';
import type { RoomView } from '../../shared/events.js';
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

  it('replaces an edited message in place and ignores one not held', () => {
    const t = mergeMessages(empty, [msg('01'), msg('02')]);
    const edited = { ...msg('02'), body: 'better', editedAt: '2026-01-01T00:01:00.000Z' };
    expect(replaceMessage(t, edited).messages.map((m) => m.body)).toEqual(['01', 'better']);
    expect(replaceMessage(t, { ...msg('09'), body: 'x' })).toBe(t);
  });

  it('turns a deleted message into a tombstone and marks the quotes of its replies deleted', () => {
    const reply = { ...msg('02'), replyTo: { messageId: '01', author: { id: 'u', username: 'u' }, excerpt: '01', deleted: false } };
    const t = markDeleted(mergeMessages(empty, [{ ...msg('01'), reactions: { '👍': 2 } }, reply]), '01', '2026-01-01T00:02:00.000Z');
    expect(t.messages[0]).toMatchObject({ id: '01', body: '', file: null, reactions: {}, deletedAt: '2026-01-01T00:02:00.000Z' });
    expect(t.messages[1]!.replyTo).toEqual({ messageId: '01', author: { id: 'u', username: 'u' }, excerpt: null, deleted: true });
  });

  it('applies a catch-up: new messages once, changes to older ones in place', () => {
    const t = mergeMessages(empty, [msg('01'), msg('02')]);
    const next = applyCatchUp(t, { messages: [msg('02'), msg('03')], changes: [{ ...msg('01'), body: '', deletedAt: '2026-01-01T00:03:00.000Z' }] });
    expect(next.messages.map((m) => [m.id, m.body])).toEqual([['01', ''], ['02', '02'], ['03', '03']]);
    expect(newestId(next)).toBe('03');
    expect(newestId(empty)).toBeNull();
  });
});

describe('typing indicator rules', () => {
  it('says who is typing in words', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine(['Ann'])).toBe('Ann is typing…');
    expect(typingLine(['Ann', 'Bo'])).toBe('Ann and Bo are typing…');
    expect(typingLine(['Ann', 'Bo', 'Cy'])).toBe('Ann, Bo and Cy are typing…');
    expect(typingLine(['Ann', 'Bo', 'Cy', 'Di'])).toBe('Several people are typing…');
  });

  it('shows a typist until the notice runs out, renewed by a new one, bounded against skewed clocks', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    let list = addTypist([], 'a', 'Ann', '2026-01-01T00:00:05.000Z', now);
    expect(list).toEqual([{ userId: 'a', name: 'Ann', until: now + 5000 }]);
    list = addTypist(list, 'a', 'Ann', '2026-01-01T00:00:07.000Z', now + 3000);
    expect(list).toEqual([{ userId: 'a', name: 'Ann', until: now + 7000 }]);
    expect(pruneTypists(list, now + 6999)).toHaveLength(1);
    expect(pruneTypists(list, now + 7000)).toEqual([]);
    expect(addTypist([], 'b', 'Bo', '2027-01-01T00:00:00.000Z', now)[0]!.until).toBe(now + TYPING_SHOW_MAX_MS);
    expect(removeTypist(list, 'a')).toEqual([]);
  });

  it('sends a notice on the first keystroke, then at most once per renew interval', () => {
    expect(shouldSendTyping(null, 0)).toBe(true);
    expect(shouldSendTyping(1000, 1000 + TYPING_RENEW_MS - 1)).toBe(false);
    expect(shouldSendTyping(1000, 1000 + TYPING_RENEW_MS)).toBe(true);
  });
});

describe('room list counts', () => {
  const room = (id: string, unread?: number): RoomView => ({ id, name: id, description: '', visibility: 'public', ownerId: 'o', createdAt: '2026-01-01T00:00:00.000Z', ...(unread === undefined ? {} : { unread, mentions: 0 }) });
  const me = { id: 'me', username: 'Ann_1' };
  const from = (roomId: string, authorId: string, body: string) => ({ ...msg('05'), roomId, author: { id: authorId, username: authorId }, body });

  it('counts messages by others in rooms the caller is in, but not in the open room', () => {
    const rooms = [room('r1', 0), room('r2', 3), room('public-not-member')];
    let next = countNewMessage(rooms, from('r1', 'bo', 'hi'), me, 'r2');
    next = countNewMessage(next, from('r2', 'bo', 'hi'), me, 'r2');
    next = countNewMessage(next, from('r1', 'me', 'mine'), me, 'r2');
    next = countNewMessage(next, from('public-not-member', 'bo', 'hi'), me, 'r2');
    expect(next.map((r) => r.unread)).toEqual([1, 3, undefined]);
  });

  it('counts a mention by the server rule (case-insensitive, not inside an address)', () => {
    let rooms = countNewMessage([room('r1', 0)], from('r1', 'bo', 'hey @ann_1!'), me, null);
    rooms = countNewMessage(rooms, from('r1', 'bo', 'mail x@ann_1.com'), me, null);
    expect(rooms[0]).toMatchObject({ unread: 2, mentions: 1 });
    expect(applyRead(rooms, { roomId: 'r1', unread: 0, mentions: 0 })[0]).toMatchObject({ unread: 0, mentions: 0 });
  });

  it('shows the server cap as "100+"', () => {
    expect([countText(7), countText(99), countText(100)]).toEqual(['7', '99', '100+']);
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
