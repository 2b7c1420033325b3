import { useCallback, useEffect, useRef, useState } from 'react';
import { toErrorBody } from '../../api/http.js';
import { emitAck, listen } from '../../api/socket.js';
import type { ErrorBody, MessageView } from '../../api/types.js';
import { errorText } from '../../lib/errors.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { mergeMessages, setPending, setReactions, type Timeline } from './messages-state.js';

/** Messages per history page (the server caps it at HISTORY_PAGE_MAX). */
export const PAGE_SIZE = 100;

interface HistoryPage {
  messages: MessageView[];
  nextCursor: string | null;
}

/**
 * One room's messages: the newest page on open, older pages on demand, live `message:new` /
 * `message:reactions`, optimistic sends with a stable clientMessageId (a retry reuses it, so the
 * server stores the message once), and after a reconnect the newest page again plus a resend of
 * whatever was still pending, so nothing sent or received during the gap is lost.
 */
export function useRoomMessages(roomId: string, joined: boolean) {
  const c = useClient();
  const [timeline, setTimeline] = useState<Timeline>({ messages: [], pending: [] });
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const pendingRef = useRef(timeline.pending);
  pendingRef.current = timeline.pending;

  const fetchLatest = useCallback(async (): Promise<void> => {
    try {
      const page = await c.http.get<HistoryPage>(`/api/rooms/${encodeURIComponent(roomId)}/messages?limit=${PAGE_SIZE}`);
      setTimeline((t) => mergeMessages(t, page.messages));
      setOlderCursor((cur) => cur ?? page.nextCursor);
      setError(null);
    } catch (err) {
      setError(toErrorBody(err));
    }
  }, [c.http, roomId]);

  const loadOlder = useCallback(async (): Promise<void> => {
    if (!olderCursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await c.http.get<HistoryPage>(`/api/rooms/${encodeURIComponent(roomId)}/messages?limit=${PAGE_SIZE}&before=${encodeURIComponent(olderCursor)}`);
      setTimeline((t) => mergeMessages(t, page.messages));
      setOlderCursor(page.nextCursor);
    } catch (err) {
      setError(toErrorBody(err));
    } finally {
      setLoadingOlder(false);
    }
  }, [c.http, roomId, olderCursor, loadingOlder]);

  const deliver = useCallback(
    async (clientMessageId: string, body: string): Promise<void> => {
      setTimeline((t) => setPending(t, { clientMessageId, body, state: 'sending' }));
      try {
        const r = await emitAck(c.socket, 'message:send', { roomId, clientMessageId, body });
        setTimeline((t) => mergeMessages(t, [r.message]));
        c.award(r.award);
      } catch (err) {
        const e = toErrorBody(err);
        setTimeline((t) => setPending(t, { clientMessageId, body, state: 'failed', error: errorText(e) }));
      }
    },
    [c, roomId],
  );

  const send = useCallback((body: string) => deliver(newRequestId('m'), body), [deliver]);
  const retry = useCallback((clientMessageId: string) => {
    const p = pendingRef.current.find((x) => x.clientMessageId === clientMessageId);
    if (p) void deliver(p.clientMessageId, p.body);
  }, [deliver]);
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
    // A reconnect: fetch what arrived while away, then resend what never got its ack.
    const onReconnect = (): void => {
      void fetchLatest().then(() => {
        for (const p of pendingRef.current) void deliver(p.clientMessageId, p.body);
      });
    };
    const unlisten = listen(c.socket, { 'message:new': onNew, 'message:reactions': onReactions });
    c.socket.io.on('reconnect', onReconnect);
    return () => {
      unlisten();
      c.socket.io.off('reconnect', onReconnect);
    };
  }, [c.socket, roomId, joined, fetchLatest, deliver]);

  return { timeline, hasOlder: olderCursor !== null, loadingOlder, loadOlder, send, retry, discard, error, setTimeline };
}
