import { useCallback, useEffect, useRef, useState } from 'react';
import { toErrorBody } from '../../api/http.js';
import { emitAck, listen } from '../../api/socket.js';
import type { ErrorBody, MemberView, MessageView, PinView, RoomView as Room } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { Composer } from './composer.js';
import { MessageList } from './message-list.js';
import { useRoomMessages } from './use-room-messages.js';
import { useTyping } from './use-typing.js';
import { setReactions } from './messages-state.js';
import { GiftDialog } from '../gifts/gift-dialog.js';
import { GiftLayer } from '../gifts/gift-layer.js';
import { MembersPanel } from '../moderation/members-panel.js';
import { RoomSettingsDialog } from '../moderation/room-settings.js';
import { ManageRoomDialog } from '../moderation/manage-room-dialog.js';
import { MessageSearch } from './message-search.js';
import { personName } from '../people/person.js';

/**
 * One open room: joining it (`room:join`, which also answers the caller's role), its pins, the
 * timeline and composer, the member panel, and the gift dialog and animation layer.
 */
export function RoomView(props: { roomId: string; onRoomsChanged(): void; onRead(e: { roomId: string; unread: number; mentions: number }): void }) {
  const c = useClient();
  const [room, setRoom] = useState<Room | null>(null);
  const [role, setRole] = useState<MemberView['role'] | null>(null);
  const [joinError, setJoinError] = useState<ErrorBody | null>(null);
  const [pins, setPins] = useState<PinView[]>([]);
  const [giftOpen, setGiftOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [manageOpen, setManageOpen] = useState(false);
  const [membersVersion, setMembersVersion] = useState(0);
  const [members, setMembers] = useState<MemberView[]>([]);
  const [myReactions, setMyReactions] = useState<Set<string>>(new Set());
  const msgs = useRoomMessages(props.roomId, role !== null);
  const typing = useTyping(props.roomId, role !== null);
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  const { socket, toast, award } = c;
  const { setTimeline } = msgs;

  // `room:read` for the newest message in view, once per message and never backwards (ULIDs sort by time).
  const lastRead = useRef<string | null>(null);
  const { onRead, roomId } = props;
  const onNewestSeen = useCallback((messageId: string): void => {
    if (role === null || (lastRead.current && messageId <= lastRead.current) || document.visibilityState !== 'visible') return;
    lastRead.current = messageId;
    emitAck(socket, 'room:read', { roomId, messageId }).then((r) => onRead({ roomId: r.roomId, unread: r.unread, mentions: r.mentions }), (err: unknown) => {
      lastRead.current = null;
      toast({ kind: 'error', error: toErrorBody(err) });
    });
  }, [socket, toast, onRead, roomId, role]);

  const join = useCallback(async () => {
    setJoinError(null);
    try {
      const r = await emitAck(c.socket, 'room:join', { roomId: props.roomId });
      setRoom(r.room);
      setRole(r.role);
      c.award(r.award);
      props.onRoomsChanged();
    } catch (err) {
      setJoinError(toErrorBody(err));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.socket, props.roomId]);
  useEffect(() => {
    void join();
  }, [join]);

  const loadPins = useCallback(() => {
    c.http.get<{ pins: PinView[] }>(`/api/rooms/${encodeURIComponent(props.roomId)}/pins`).then((r) => setPins(r.pins), c.fail);
  }, [c.http, c.fail, props.roomId]);
  useEffect(() => {
    if (role === null) return;
    loadPins();
    const onPinned = (p: PinView): void => {
      if (p.roomId === props.roomId) loadPins();
    };
    const onLeft = (e: { roomId: string; userId: string; reason: string }): void => {
      if (e.roomId !== props.roomId) return;
      setMembersVersion((v) => v + 1);
      if (e.userId === c.me.id) {
        setRole(null);
        setJoinError({ code: e.reason === 'banned' ? 'BANNED_FROM_ROOM' : 'NOT_A_MEMBER', message: e.reason === 'banned' ? 'You were banned from this room' : e.reason === 'kicked' ? 'You were removed from this room' : 'You left this room' });
      }
    };
    const onJoined = (e: { roomId: string }): void => {
      if (e.roomId === props.roomId) setMembersVersion((v) => v + 1);
    };
    // Room management (issue 10) seen by every member: new details, a new owner (roles change:
    // join again to learn one's own), the room gone.
    const onUpdated = (e: { roomId: string; room: Room }): void => {
      if (e.roomId === props.roomId) setRoom(e.room);
    };
    const onOwnerChanged = (e: { roomId: string }): void => {
      if (e.roomId !== props.roomId) return;
      setMembersVersion((v) => v + 1);
      void join();
    };
    const onDeleted = (e: { roomId: string }): void => {
      if (e.roomId !== props.roomId) return;
      c.toast({ kind: 'info', text: 'This room was deleted by its owner' });
      props.onRoomsChanged();
      c.navigate('/');
    };
    return listen(c.socket, {
      'message:pinned': onPinned,
      'room:member-left': onLeft,
      'room:member-joined': onJoined,
      'room:updated': onUpdated,
      'room:owner-changed': onOwnerChanged,
      'room:deleted': onDeleted,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.socket, c.me.id, props.roomId, role, loadPins, join]);

  const myReactionsRef = useRef(myReactions);
  myReactionsRef.current = myReactions;
  // Stable callbacks, so the memoized rows of the list do not re-render on every change.
  const react = useCallback(async (messageId: string, emoji: string): Promise<void> => {
    const key = `${messageId}:${emoji}`;
    const on = !myReactionsRef.current.has(key);
    try {
      const r = await emitAck(socket, 'message:react', { messageId, emoji, on });
      setMyReactions((s) => {
        const next = new Set(s);
        if (on) next.add(key);
        else next.delete(key);
        return next;
      });
      setTimeline((t) => setReactions(t, r.messageId, r.reactions));
    } catch (err) {
      toast({ kind: 'error', error: toErrorBody(err) });
    }
  }, [socket, setTimeline, toast]);
  const helpful = useCallback(async (messageId: string): Promise<void> => {
    try {
      const r = await emitAck(socket, 'message:vote-helpful', { messageId });
      toast({ kind: 'info', text: 'Marked helpful' });
      award(r.award);
    } catch (err) {
      toast({ kind: 'error', error: toErrorBody(err) });
    }
  }, [socket, toast, award]);
  const onReact = useCallback((id: string, e: string) => void react(id, e), [react]);
  const onHelpful = useCallback((id: string) => void helpful(id), [helpful]);
  const leave = async (): Promise<void> => {
    try {
      await emitAck(c.socket, 'room:leave', { roomId: props.roomId });
      props.onRoomsChanged();
      c.navigate('/');
    } catch (err) {
      c.toast({ kind: 'error', error: toErrorBody(err) });
    }
  };

  if (joinError && role === null) {
    return (
      <section className="room-error">
        <h1>Room unavailable</h1>
        <ErrorLine error={joinError} />
        <button type="button" onClick={() => void join()}>
          Try again
        </button>
      </section>
    );
  }
  if (!room || role === null) return <p className="muted center">Joining…</p>;

  const moderator = role === 'owner' || role === 'moderator';
  // A direct room has no owner and no name: it is shown as the other person (from the members).
  const direct = room.ownerId === '';
  const peer = direct ? members.find((m) => m.user.id !== c.me.id)?.user : undefined;
  const pinned = pins.map((p) => ({ pin: p, message: msgs.timeline.messages.find((m) => m.id === p.messageId) }));
  return (
    <div className="room" data-theme={room.customization?.theme} style={room.customization ? { ['--room-accent' as string]: room.customization.color } : undefined}>
      <header className="room-head">
        <div>
          <h1>
            {direct ? (
              peer ? personName(peer) : 'Direct message'
            ) : (
              <>
                {room.visibility === 'private' && <span aria-label="private">🔒 </span>}
                {room.name}
              </>
            )}
          </h1>
          {room.description && <p className="muted small">{room.description}</p>}
        </div>
        <div className="row">
          <span className="pill">{direct ? 'direct message' : role}</span>
          <button type="button" className="gift-button" onClick={() => setGiftOpen(true)}>
            Gift
          </button>
          {moderator && (
            <button type="button" onClick={() => setSettingsOpen(true)}>
              Customize
            </button>
          )}
          {role === 'owner' && !direct && (
            <button type="button" onClick={() => setManageOpen(true)}>
              Manage room
            </button>
          )}
          {role !== 'owner' && !direct && (
            <button type="button" onClick={() => void leave()}>
              Leave
            </button>
          )}
        </div>
      </header>
      <MessageSearch roomId={props.roomId} />
      {pinned.length > 0 && (
        <section className="pins" aria-label="Pinned messages">
          {pinned.map(({ pin, message }) => (
            <p key={pin.messageId}>
              📌 {message ? `${message.author.username}: ${message.body}` : 'A pinned message'} <span className="muted small">until {new Date(pin.until).toLocaleString()}</span>
            </p>
          ))}
        </section>
      )}
      <div className="room-body">
        <div className="room-timeline">
          <GiftLayer roomId={props.roomId} />
          <ErrorLine error={msgs.error} />
          <MessageList
            messages={msgs.timeline.messages}
            pending={msgs.timeline.pending}
            hasOlder={msgs.hasOlder}
            loadingOlder={msgs.loadingOlder}
            onLoadOlder={() => void msgs.loadOlder()}
            onRetry={msgs.retry}
            onDiscard={msgs.discard}
            onReact={onReact}
            onHelpful={onHelpful}
            onReply={setReplyTo}
            onEdit={msgs.edit}
            onDelete={msgs.remove}
            onNewestSeen={onNewestSeen}
            myId={c.me.id}
            moderator={moderator}
            myReactions={myReactions}
          />
          <p className="typing muted small" aria-live="polite" data-testid="typing">
            {typing.line}
          </p>
          <Composer
            roomId={props.roomId}
            disabled={false}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            onTyping={typing.notifyTyping}
            onSend={(b) => {
              void msgs.send(b, replyTo?.id);
              setReplyTo(null);
              typing.resetTyping();
            }}
          />
        </div>
        <MembersPanel roomId={props.roomId} myRole={role} version={membersVersion} onMembers={setMembers} direct={direct} />
      </div>
      <GiftDialog open={giftOpen} onClose={() => setGiftOpen(false)} roomId={props.roomId} members={members} />
      {role === 'owner' && !direct && (
        <ManageRoomDialog
          open={manageOpen}
          onClose={() => setManageOpen(false)}
          room={room}
          members={members}
          onSaved={(r) => {
            setRoom(r);
            props.onRoomsChanged();
          }}
          onTransferred={() => {
            setManageOpen(false);
            setMembersVersion((v) => v + 1);
            void join();
          }}
          onDeleted={() => {
            setManageOpen(false);
            c.toast({ kind: 'info', text: 'Room deleted' });
            props.onRoomsChanged();
            c.navigate('/');
          }}
        />
      )}
      {moderator && <RoomSettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} room={room} onSaved={(r) => { setRoom(r); props.onRoomsChanged(); }} />}
    </div>
  );
}
