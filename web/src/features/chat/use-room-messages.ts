import { useCallback, useEffect, useRef, useState } from 'react';
import { toErrorBody } from '../../api/http.js';
import { emitAck, listen } from '../../api/socket.js';
import type { ErrorBody, MessageCatchUp, MessageView } from '../../api/types.js';
import { errorText } from '../../lib/errors.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { applyCatchUp, markDeleted, mergeMessages, newestId, replaceMessage, setPending, setReactions, type Timeline } from './messages-state.js';

/** Messages per history page (the server caps it at HISTORY_PAGE_MAX). */
export const PAGE_SIZE = 100;

interface HistoryPage {
  messages: MessageView[];
  nextCursor: string | null;
}

/**
 * One room's messages: the newest page on open, older pages on demand, live `message:new` /
 * `message:reactions` / `message:updated` / `message:deleted`, optimistic sends (and replies) with
 * a stable clientMessageId (a retry reuses it, so the server stores the message once), edits and
 * deletions. After a reconnect that Socket.IO could not recover (the server replays missed events
 * itself when it could), the catch-up route brings what was missed (`?after=` the newest message
 * held, with the edits and deletions of older ones); then whatever was still pending is resent, so
 * nothing sent or received during the gap is lost.
 */
export function useRoomMessages(roomId: string, joined: boolean) {
  const c = useClient();
  const [timeline, setTimeline] = useState<Timeline>({ messages: [], pending: [] });
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const pendingRef = useRef(timeline.pending);
  pendingRef.current = timeline.pending;
  const newestRef = useRef<string | null>(null);
  newestRef.current = newestId(timeline);
  const base = `/api/rooms/${encodeURIComponent(roomId)}/messages`;

  const fetchLatest = useCallback(async (): Promise<void> => {
    try {
      const page = await c.http.get<HistoryPage>(`${base}?limit=${PAGE_SIZE}`);
      setTimeline((t) => mergeMessages(t, page.messages));
      setOlderCursor((cur) => cur ?? page.nextCursor);
      setError(null);
    } catch (err) {
      setError(toErrorBody(err));
    }
  }, [c.http, base]);

  /** Everything after the newest message held, page by page until the server says caught up. */
  const catchUp = useCallback(async (): Promise<void> => {
    let after = newestRef.current;
    if (!after) return fetchLatest();
    try {
      while (after) {
        const page: MessageCatchUp = await c.http.get<MessageCatchUp>(`${base}?limit=${PAGE_SIZE}&after=${encodeURIComponent(after)}`);
        setTimeline((t) => applyCatchUp(t, page));
        after = page.nextAfter;
      }
      setError(null);
    } catch (err) {
      setError(toErrorBody(err));
    }
  }, [c.http, base, fetchLatest]);

  const loadOlder = useCallback(async (): Promise<void> => {
    if (!olderCursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await c.http.get<HistoryPage>(`${base}?limit=${PAGE_SIZE}&before=${encodeURIComponent(olderCursor)}`);
      setTimeline((t) => mergeMessages(t, page.messages));
      setOlderCursor(page.nextCursor);
    } catch (err) {
      setError(toErrorBody(err));
    } finally {
      setLoadingOlder(false);
    }
  }, [c.http, base, olderCursor, loadingOlder]);

  const deliver = useCallback(
    async (clientMessageId: string, body: string, replyTo?: string): Promise<void> => {
      const reply = replyTo ? { replyTo } : {};
      setTimeline((t) => setPending(t, { clientMessageId, body, state: 'sending', ...reply }));
      try {
        const r = await emitAck(c.socket, 'message:send', { roomId, clientMessageId, body, ...reply });
        setTimeline((t) => mergeMessages(t, [r.message]));
        c.award(r.award);
      } catch (err) {
        const e = toErrorBody(err);
        setTimeline((t) => setPending(t, { clientMessageId, body, state: 'failed', error: errorText(e), ...reply }));
      }
    },
    [c, roomId],
  );

  const send = useCallback((body: string, replyTo?: string) => deliver(newRequestId('m'), body, replyTo), [deliver]);
  const retry = useCallback((clientMessageId: string) => {
    const p = pendingRef.current.find((x) => x.clientMessageId === clientMessageId);
    if (p) void deliver(p.clientMessageId, p.body, p.replyTo);
  }, [deliver]);
  /** `message:edit`; rejects with the server's typed refusal (shown by the edit form). */
  const edit = useCallback(async (messageId: string, body: string): Promise<void> => {
    const r = await emitAck(c.socket, 'message:edit', { messageId, body });
    setTimeline((t) => replaceMessage(t, r.message));
  }, [c.socket]);
  /** `message:delete`; rejects with the server's typed refusal. */
  const remove = useCallback(async (messageId: string): Promise<void> => {
    const r = await emitAck(c.socket, 'message:delete', { messageId });
    setTimeline((t) => markDeleted(t, r.messageId, r.deletedAt));
  }, [c.socket]);
  const discard = useCallback((clientMessageId: string) => {
    setTimeline((t) => ({ ...t, pending: t.pending.filter((p) => p.clientMessageId !== clientMessageId) }));
  }, []);

  useEffect(() => {
    setTimeline({ messages: [], pending: [] });
    setOlderCursor(null);
  }, [roomId]);

  useEffect(() => {
    if (!joined) return;
    void fetchLatest();
    const onNew = (m: MessageView): void => {
      if (m.roomId === roomId) setTimeline((t) => mergeMessages(t, [m]));
    };
    const onReactions = (e: { roomId: string; messageId: string; reactions: Record<string, number> }): void => {
      if (e.roomId === roomId) setTimeline((t) => setReactions(t, e.messageId, e.reactions));
    };
    const onUpdated = (m: MessageView): void => {
      if (m.roomId === roomId) setTimeline((t) => replaceMessage(t, m));
    };
    const onDeleted = (e: { roomId: string; messageId: string; deletedAt: string }): void => {
      if (e.roomId === roomId) setTimeline((t) => markDeleted(t, e.messageId, e.deletedAt));
    };
    // A (re)connection while the room is open: when Socket.IO recovered the session the server has
    // replayed what was missed; otherwise catch up over HTTP. Then resend what never got its ack.
    const onConnect = (): void => {
      void (c.socket.recovered ? Promise.resolve() : catchUp()).then(() => {
        for (const p of pendingRef.current) void deliver(p.clientMessageId, p.body, p.replyTo);
      });
    };
    const unlisten = listen(c.socket, { 'message:new': onNew, 'message:reactions': onReactions, 'message:updated': onUpdated, 'message:deleted': onDeleted });
    c.socket.on('connect', onConnect);
    return () => {
      unlisten();
      c.socket.off('connect', onConnect);
    };
  }, [c.socket, roomId, joined, fetchLatest, catchUp, deliver]);

  return { timeline, hasOlder: olderCursor !== null, loadingOlder, loadOlder, send, retry, discard, edit, remove, error, setTimeline };
}
