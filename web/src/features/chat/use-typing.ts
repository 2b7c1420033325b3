import { useCallback, useEffect, useRef, useState } from 'react';
import { toErrorBody } from '../../api/http.js';
import { emitAck, listen } from '../../api/socket.js';
import type { MessageView, UserSummary } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { addTypist, pruneTypists, removeTypist, shouldSendTyping, typingLine, type Typist } from './typing-state.js';

/**
 * The typing indicator of one room: live `typing` notices from other members (each shown until
 * its `expiresAt`, or until that member's message arrives) and `notifyTyping()`, which the
 * composer calls on every keystroke and which sends `typing` at most once per TYPING_RENEW_MS.
 */
export function useTyping(roomId: string, joined: boolean) {
  const c = useClient();
  const [typists, setTypists] = useState<Typist[]>([]);
  const lastSent = useRef<number | null>(null);

  useEffect(() => {
    setTypists([]);
    lastSent.current = null;
    if (!joined) return;
    const onTyping = (e: { roomId: string; user: UserSummary; expiresAt: string }): void => {
      // The caller's own other tabs get their notices too: not worth showing "you are typing".
      if (e.roomId !== roomId || e.user.id === c.me.id) return;
      setTypists((list) => addTypist(list, e.user.id, e.user.displayName ?? e.user.username, e.expiresAt, Date.now()));
    };
    const onNew = (m: MessageView): void => {
      if (m.roomId === roomId) setTypists((list) => removeTypist(list, m.author.id));
    };
    return listen(c.socket, { typing: onTyping, 'message:new': onNew });
  }, [c.socket, c.me.id, roomId, joined]);

  // One timer, for the notice that runs out first.
  useEffect(() => {
    if (typists.length === 0) return;
    const next = Math.min(...typists.map((t) => t.until));
    const timer = setTimeout(() => setTypists((list) => pruneTypists(list, Date.now())), Math.max(0, next - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [typists]);

  const { socket, fail } = c;
  const notifyTyping = useCallback((): void => {
    const now = Date.now();
    if (!joined || !shouldSendTyping(lastSent.current, now)) return;
    lastSent.current = now;
    emitAck(socket, 'typing', { roomId }).catch((err: unknown) => {
      // The server's throttle refusing a notice is the throttle working: the next keystroke renews.
      if (toErrorBody(err).code !== 'RATE_LIMITED') fail(err);
    });
  }, [socket, fail, roomId, joined]);
  /** After a send: the next keystroke starts a new notice at once. */
  const resetTyping = useCallback((): void => {
    lastSent.current = null;
  }, []);

  return { line: typingLine(typists.map((t) => t.name)), notifyTyping, resetTyping };
}
