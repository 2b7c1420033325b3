import type { MessageView } from '../../api/types.js';

/**
 * A room's timeline as the client holds it: confirmed messages sorted by id (ULIDs sort by time)
 * plus the caller's own messages still on their way. Pure functions: the hook below owns I/O.
 */
export interface PendingMessage {
  clientMessageId: string;
  body: string;
  state: 'sending' | 'failed';
  error?: string;
}

export interface Timeline {
  messages: MessageView[];
  pending: PendingMessage[];
}

/** Adds messages (a history page, a live one, a catch-up) once each, in id order. */
export function mergeMessages(t: Timeline, incoming: MessageView[]): Timeline {
  if (incoming.length === 0) return t;
  const byId = new Map(t.messages.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, { ...byId.get(m.id), ...m });
  const confirmed = new Set(incoming.map((m) => m.clientMessageId));
  return {
    messages: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    // A confirmed clientMessageId is no longer pending, however it arrived (ack, live event, catch-up).
    pending: t.pending.filter((p) => !confirmed.has(p.clientMessageId)),
  };
}

export function setPending(t: Timeline, p: PendingMessage): Timeline {
  if (t.messages.some((m) => m.clientMessageId === p.clientMessageId)) return t;
  const rest = t.pending.filter((x) => x.clientMessageId !== p.clientMessageId);
  return { ...t, pending: [...rest, p] };
}

export function setReactions(t: Timeline, messageId: string, reactions: Record<string, number>): Timeline {
  return { ...t, messages: t.messages.map((m) => (m.id === messageId ? { ...m, reactions } : m)) };
}
