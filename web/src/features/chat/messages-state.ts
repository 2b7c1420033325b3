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
  /** The message this one answers (kept so a retry or a resend after reconnecting still replies). */
  replyTo?: string;
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

/**
 * A message as it is now (`message:updated`, an edit's ack, a catch-up's `changes`): replaces the
 * one held with that id. A message not held (an older page not loaded) is left out: it shows as
 * it is now when its page is loaded.
 */
export function replaceMessage(t: Timeline, m: MessageView): Timeline {
  if (!t.messages.some((x) => x.id === m.id)) return t;
  return { ...t, messages: t.messages.map((x) => (x.id === m.id ? m : x)) };
}

/**
 * A deletion (`message:deleted` or the delete's ack): the message becomes a tombstone in its place,
 * as the server keeps it (no body, file nor reactions), and replies quoting it show the quote as
 * deleted, as the server builds them from then on.
 */
export function markDeleted(t: Timeline, messageId: string, deletedAt: string): Timeline {
  return {
    ...t,
    messages: t.messages.map((m) => {
      if (m.id === messageId) return { ...m, body: '', file: null, reactions: {}, deletedAt };
      if (m.replyTo?.messageId === messageId) return { ...m, replyTo: { ...m.replyTo, excerpt: null, deleted: true } };
      return m;
    }),
  };
}

/**
 * What a catch-up (`GET /api/rooms/:id/messages?after=`) brings: `messages` after the last one
 * held are added once each; `changes` (older messages edited or deleted meanwhile) replace
 * theirs, so tombstones and edits made during the gap are shown too.
 */
export function applyCatchUp(t: Timeline, page: { messages: MessageView[]; changes: MessageView[] }): Timeline {
  let next = mergeMessages(t, page.messages);
  for (const m of page.changes) next = replaceMessage(next, m);
  return next;
}

/** The newest confirmed message held: where a catch-up starts and what `room:read` marks. */
export function newestId(t: Timeline): string | null {
  return t.messages.at(-1)?.id ?? null;
}
