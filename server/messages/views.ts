import type { FileView, MessageQuote, MessageView, UserSummary } from '../../shared/events.js';
import type { FileRecord, MessageRecord, RecordStores } from '../stores/ports.js';
import { summaryOf, type UserSummaryResolver } from '../users/summaries.js';

export function toFileView(f: FileRecord): FileView {
  return { id: f.id, name: f.name, size: f.size, mime: f.mime };
}

/** How many characters of a parent body a reply quotes when the caller does not say (REPLY_QUOTE_CHARS). */
export const REPLY_QUOTE_CHARS_DEFAULT = 120;

/** The first `chars` characters (code points, so an emoji is never cut in half) of a body. */
export function excerptOf(body: string, chars: number): string {
  const points = Array.from(body);
  return points.length <= chars ? body : `${points.slice(0, chars).join('')}…`;
}

/**
 * Turns stored messages into what clients see: author summary (with tier when the economy
 * supplies one), file metadata for file messages, reaction counts and, for a reply, a short quote
 * of its parent. A deleted message is a tombstone: no body, no file, no reactions. Batched: one
 * query per kind of data for the whole list (parents only when some message is a reply).
 */
export async function toMessageViews(
  messages: readonly MessageRecord[],
  deps: { stores: Pick<RecordStores, 'files' | 'messages'>; summaries: UserSummaryResolver; config?: { replyQuoteChars?: number } },
  known: { files?: Map<string, FileRecord> } = {},
): Promise<MessageView[]> {
  if (messages.length === 0) return [];
  const fileIds = [...new Set(messages.flatMap((m) => (m.fileId && !m.deletedAt && !known.files?.has(m.fileId) ? [m.fileId] : [])))];
  const parents = await loadParents(messages, deps.stores.messages);
  const [authors, reactions, loaded] = await Promise.all([
    deps.summaries.many([...messages.map((m) => m.authorId), ...[...parents.values()].map((p) => p.authorId)]),
    deps.stores.messages.reactionCounts(messages.map((m) => m.id)),
    Promise.all(fileIds.map((id) => deps.stores.files.findById(id))),
  ]);
  const files = new Map(known.files);
  for (const f of loaded) if (f) files.set(f.id, f);
  const quoteChars = deps.config?.replyQuoteChars ?? REPLY_QUOTE_CHARS_DEFAULT;
  return messages.map((m) => {
    const file = m.fileId && !m.deletedAt ? files.get(m.fileId) : undefined;
    const view: MessageView = {
      id: m.id,
      roomId: m.roomId,
      clientMessageId: m.clientMessageId,
      author: summaryOf(authors, m.authorId),
      kind: m.kind,
      body: m.deletedAt ? '' : m.body,
      file: file ? toFileView(file) : null,
      reactions: m.deletedAt ? {} : (reactions[m.id] ?? {}),
      createdAt: m.createdAt.toISOString(),
    };
    if (m.replyTo) view.replyTo = quoteOf(m.replyTo, parents.get(m.replyTo), authors, quoteChars);
    if (m.editedAt && !m.deletedAt) view.editedAt = m.editedAt.toISOString();
    if (m.deletedAt) view.deletedAt = m.deletedAt.toISOString();
    return view;
  });
}

async function loadParents(messages: readonly MessageRecord[], store: RecordStores['messages']): Promise<Map<string, MessageRecord>> {
  const ids = [...new Set(messages.flatMap((m) => (m.replyTo ? [m.replyTo] : [])))];
  const found = await Promise.all(ids.map((id) => store.findById(id)));
  return new Map(found.flatMap((p) => (p ? [[p.id, p] as const] : [])));
}

function quoteOf(parentId: string, parent: MessageRecord | undefined, authors: Map<string, UserSummary>, chars: number): MessageQuote {
  // A parent that is gone altogether (never expected: messages are tombstoned, not removed) reads as deleted.
  if (!parent) return { messageId: parentId, author: { id: '', username: '(deleted)' }, excerpt: null, deleted: true };
  const deleted = parent.deletedAt != null;
  return { messageId: parent.id, author: summaryOf(authors, parent.authorId), excerpt: deleted ? null : excerptOf(parent.body, chars), deleted };
}
