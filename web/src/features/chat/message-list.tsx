import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessageView } from '../../api/types.js';
import type { PendingMessage } from './messages-state.js';
import { MessageRow, PendingRow } from './message-row.js';

/** Pixels from the top at which the next older page is fetched. */
const LOAD_OLDER_AT_PX = 300;
/** Pixels from the bottom within which the list follows new messages. */
const STICK_TO_BOTTOM_PX = 80;

type Row = { kind: 'msg'; m: MessageView } | { kind: 'pending'; p: PendingMessage };

/**
 * The virtualized timeline: only the rows in view (plus a few) are in the DOM, so a room with
 * thousands of messages scrolls as lightly as one with ten. Scrolling near the top loads the
 * previous page and keeps the reader's place; new messages scroll into view only when the reader
 * is already at the bottom.
 */
export function MessageList(props: {
  messages: MessageView[];
  pending: PendingMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  onRetry(id: string): void;
  onDiscard(id: string): void;
  onReact(messageId: string, emoji: string): void;
  onHelpful(messageId: string): void;
  onReply(m: MessageView): void;
  onEdit(messageId: string, body: string): Promise<void>;
  onDelete(messageId: string): Promise<void>;
  /** The newest message is in view (the reader is at the bottom of the list): mark it read. */
  onNewestSeen(messageId: string): void;
  myId: string;
  /** Owners and moderators may delete anyone's message. */
  moderator: boolean;
  myReactions: ReadonlySet<string>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows: Row[] = useMemo(
    () => [...props.messages.map((m) => ({ kind: 'msg' as const, m })), ...props.pending.map((p) => ({ kind: 'pending' as const, p }))],
    [props.messages, props.pending],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 56,
    overscan: 8,
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.kind === 'msg' ? r.m.id : `p:${r.p.clientMessageId}`;
    },
  });

  // Keep the reader's place when older messages are prepended: shift by the number added.
  const firstId = props.messages[0]?.id;
  const prevFirst = useRef<{ id: string | undefined; count: number }>({ id: undefined, count: 0 });
  const atBottom = useRef(true);
  const [initialised, setInitialised] = useState(false);
  useLayoutEffect(() => {
    const prev = prevFirst.current;
    if (prev.id && firstId && firstId < prev.id) {
      const added = props.messages.findIndex((m) => m.id === prev.id);
      if (added > 0) virtualizer.scrollToIndex(added, { align: 'start' });
    } else if (rows.length > 0 && (atBottom.current || !initialised)) {
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
      if (!initialised) setInitialised(true);
    }
    prevFirst.current = { id: firstId, count: props.messages.length };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows.length, firstId]);

  // The scroll listener is added once and reads the latest props through a ref.
  const latest = useRef({ props, initialised });
  latest.current = { props, initialised };
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = (): void => {
      const { props: p, initialised: ready } = latest.current;
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
      const newest = p.messages.at(-1)?.id;
      if (atBottom.current && newest) p.onNewestSeen(newest);
      if (el.scrollTop < LOAD_OLDER_AT_PX && p.hasOlder && !p.loadingOlder && ready) p.onLoadOlder();
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  // A new newest message while the reader is at the bottom (it scrolled into view), or on opening.
  const newest = props.messages.at(-1)?.id;
  useEffect(() => {
    if (newest && atBottom.current && initialised) latest.current.props.onNewestSeen(newest);
  }, [newest, initialised]);

  return (
    <div ref={scroller} className="messages" role="log" aria-label="Conversation" aria-live="polite" tabIndex={0} data-testid="message-scroller">
      {props.loadingOlder && <p className="muted center">Loading older messages…</p>}
      {!props.hasOlder && props.messages.length > 0 && <p className="muted center small">Beginning of the room</p>}
      {rows.length === 0 && <p className="muted center">No messages yet. Say hello!</p>}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const r = rows[v.index]!;
          return (
            <div key={v.key} data-index={v.index} ref={virtualizer.measureElement} className="vrow" style={{ transform: `translateY(${v.start}px)` }}>
              {r.kind === 'msg' ? (
                <MessageRow
                  m={r.m}
                  mine={r.m.author.id === props.myId}
                  canDelete={props.moderator || r.m.author.id === props.myId}
                  myReactions={props.myReactions}
                  onReact={props.onReact}
                  onHelpful={props.onHelpful}
                  onReply={props.onReply}
                  onEdit={props.onEdit}
                  onDelete={props.onDelete}
                />
              ) : (
                <PendingRow p={r.p} onRetry={props.onRetry} onDiscard={props.onDiscard} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
