import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { createRoomBody } from '../../../../shared/schemas.js';
import { listen } from '../../api/socket.js';
import type { AwardOutcome, MessageView, RoomView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { FormFooter } from '../../ui/form-parts.js';
import { useAction } from '../../ui/use-action.js';
import { DmList } from '../dms/dm-list.js';
import { applyRead, countNewMessage, type ReadCounts } from './unread.js';
import { UnreadBadges } from './unread-badges.js';

/**
 * Rooms the caller can see (public ones and private ones they belong to), boosted rooms first as
 * the server orders them, with the unread and mention badges of the rooms the caller is in (from
 * `GET /api/rooms`, counted up live by `message:new`, set by each `room:read` ack), and the
 * "New room" dialog.
 */
export function RoomList(props: { activeId: string | null; refreshKey: number; readAck: ReadCounts | null }) {
  const c = useClient();
  const [rooms, setRooms] = useState<RoomView[]>([]);
  const [creating, setCreating] = useState(false);
  const list = useAction();

  const { readAck, activeId } = props;
  // A list read that was on its way when the open room was marked read must not bring its
  // count back: the open room keeps the counts of its latest `room:read` ack.
  const openRead = useRef<ReadCounts | null>(null);
  openRead.current = readAck && readAck.roomId === activeId ? readAck : null;
  const load = useCallback(() => {
    void list.run(async () => {
      const { rooms: fresh } = await c.http.get<{ rooms: RoomView[] }>('/api/rooms?limit=100');
      setRooms(openRead.current ? applyRead(fresh, openRead.current) : fresh);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http]);
  useEffect(load, [load, props.refreshKey]);
  useEffect(() => {
    if (readAck) setRooms((rs) => applyRead(rs, readAck));
  }, [readAck]);
  const { socket } = c;
  const { id: myId, username: myName } = c.me;
  useEffect(
    () => listen(socket, { 'message:new': (m: MessageView) => setRooms((rs) => countNewMessage(rs, m, { id: myId, username: myName }, activeId)) }),
    [socket, myId, myName, activeId],
  );

  return (
    <nav className="sidebar" aria-label="Rooms">
      <div className="sidebar-head">
        <h2>Rooms</h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New room
        </button>
      </div>
      <ErrorLine error={list.error} />
      <ul className="room-list">
        {rooms.map((r) => {
          const boosted = r.boostedUntil && new Date(r.boostedUntil) > new Date();
          return (
            <li key={r.id}>
              <a
                href={`/rooms/${r.id}`}
                aria-current={props.activeId === r.id ? 'page' : undefined}
                style={r.customization ? { borderLeftColor: r.customization.color } : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  c.navigate(`/rooms/${r.id}`);
                }}
              >
                <span className="room-name">
                  {r.visibility === 'private' && <span aria-label="private">🔒 </span>}
                  {r.name}
                </span>
                {boosted && <span className="pill">boosted</span>}
                <UnreadBadges room={r} />
              </a>
            </li>
          );
        })}
      </ul>
      {rooms.length === 0 && !list.error && <p className="muted small">No rooms yet: create the first one.</p>}
      <DmList activeId={props.activeId} readAck={readAck} />
      <NewRoomDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(room) => {
          setCreating(false);
          load();
          c.navigate(`/rooms/${room.id}`);
        }}
      />
    </nav>
  );
}

function NewRoomDialog(props: { open: boolean; onClose(): void; onCreated(room: RoomView): void }) {
  const c = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const { busy, error, setError, run } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = createRoomBody.safeParse({ name, visibility, ...(description ? { description } : {}) });
    if (!parsed.success) return setError({ code: 'VALIDATION_FAILED', message: `Room name: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    const r = await run(() => c.http.post<{ room: RoomView; award: AwardOutcome | null }>('/api/rooms', parsed.data));
    if (r) {
      c.award(r.award);
      setName('');
      setDescription('');
      props.onCreated(r.room);
    }
  };
  return (
    <Dialog title="New room" open={props.open} onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Room name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoFocus />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
        </label>
        <fieldset>
          <legend>Visibility</legend>
          <label className="inline">
            <input type="radio" name="visibility" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> Public
          </label>
          <label className="inline">
            <input type="radio" name="visibility" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Private (invite only)
          </label>
        </fieldset>
        <FormFooter error={error} busy={busy} submitLabel="Create" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
