import type { FileView, MessageView } from '../../shared/events.js';
import type { FileRecord, MessageRecord, RecordStores } from '../stores/ports.js';
import { summaryOf, type UserSummaryResolver } from '../users/summaries.js';

export function toFileView(f: FileRecord): FileView {
  return { id: f.id, name: f.name, size: f.size, mime: f.mime };
}

/**
 * Turns stored messages into what clients see: author summary (with tier when the economy
 * supplies one), file metadata for file messages and reaction counts. Batched: one query per kind
 * of data for the whole list.
 */
export async function toMessageViews(
  messages: readonly MessageRecord[],
  deps: { stores: Pick<RecordStores, 'files' | 'messages'>; summaries: UserSummaryResolver },
  known: { files?: Map<string, FileRecord> } = {},
): Promise<MessageView[]> {
  if (messages.length === 0) return [];
  const fileIds = [...new Set(messages.flatMap((m) => (m.fileId && !known.files?.has(m.fileId) ? [m.fileId] : [])))];
  const [authors, reactions, loaded] = await Promise.all([
    deps.summaries.many(messages.map((m) => m.authorId)),
    deps.stores.messages.reactionCounts(messages.map((m) => m.id)),
    Promise.all(fileIds.map((id) => deps.stores.files.findById(id))),
  ]);
  const files = new Map(known.files);
  for (const f of loaded) if (f) files.set(f.id, f);
  return messages.map((m) => {
    const file = m.fileId ? files.get(m.fileId) : undefined;
    return {
      id: m.id,
      roomId: m.roomId,
      clientMessageId: m.clientMessageId,
      author: summaryOf(authors, m.authorId),
      kind: m.kind,
      body: m.body,
      file: file ? toFileView(file) : null,
      reactions: reactions[m.id] ?? {},
      createdAt: m.createdAt.toISOString(),
    };
  });
}
