import { useCallback, useEffect, useState } from 'react';
import { listen } from '../../api/socket.js';
import type { DirectRoomView, MessageView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';
import { Avatar, personName, PersonSearch } from '../people/person.js';
import { UnreadBadges } from '../rooms/unread-badges.js';
import { applyRead, countNewMessage, type ReadCounts } from '../rooms/unread.js';

/**
 * The caller's direct messages (`GET /api/dms`, newest first, with unread and mention counts;
 * `dm:opened` adds one live, `message:new` counts up, a `room:read` ack sets a DM's counts) and
 * the "New message" dialog that finds a person and opens the pair's room.
 */
export function DmList(props: { activeId: string | null; readAck: ReadCounts | null }) {
  const c = useClient();
  const [dms, setDms] = useState<DirectRoomView[]>([]);
  const [finding, setFinding] = useState(false);
  const list = useAction();
  const { readAck, activeId } = props;
  const load = useCallback(() => {
    void list.run(async () => setDms((await c.http.get<{ dms: DirectRoomView[] }>('/api/dms?limit=100')).dms));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http]);
  useEffect(load, [load]);
  const { socket } = c;
  const { id: myId, username: myName } = c.me;
  useEffect(
    () =>
      listen(socket, {
        'dm:opened': load,
        'message:new': (m: MessageView) => setDms((ds) => countNewMessage(ds, m, { id: myId, username: myName }, activeId)),
      }),
    [socket, load, myId, myName, activeId],
  );
  useEffect(() => {
    if (readAck) setDms((ds) => applyRead(ds, readAck));
  }, [readAck]);

  return (
    // Not a labelled region: a label containing "message" would also answer to the composer's "Message".
    <section className="dm-section" data-testid="dm-list">
      <div className="sidebar-head">
        <h2>Direct messages</h2>
        <button type="button" onClick={() => setFinding(true)}>
          New message
        </button>
      </div>
      <ErrorLine error={list.error} />
      <ul className="room-list">
        {dms.map((d) => (
          <li key={d.id}>
            <a
              href={`/rooms/${d.id}`}
              aria-current={activeId === d.id ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                c.navigate(`/rooms/${d.id}`);
              }}
            >
              <span className="room-name">
                <Avatar user={d.peer} />
                <span className="ellipsis">{personName(d.peer)}</span>
              </span>
              <UnreadBadges room={d} />
            </a>
          </li>
        ))}
      </ul>
      {dms.length === 0 && !list.error && <p className="muted small">No direct messages yet.</p>}
      <FindPeopleDialog
        open={finding}
        onClose={() => setFinding(false)}
        onOpened={(room) => {
          setFinding(false);
          setDms((ds) => [room, ...ds.filter((d) => d.id !== room.id)]);
          c.navigate(`/rooms/${room.id}`);
        }}
      />
    </section>
  );
}

/** Searches people and opens a DM with one of them (`POST /api/dms`). */
function FindPeopleDialog(props: { open: boolean; onClose(): void; onOpened(room: DirectRoomView): void }) {
  const c = useClient();
  const open = useAction();
  return (
    <Dialog title="New message" open={props.open} onClose={props.onClose}>
      <PersonSearch
        label="Search people"
        actionText="Message"
        busy={open.busy}
        onPick={(u) =>
          void open.run(() => c.http.post<{ room: DirectRoomView; created: boolean }>('/api/dms', { userId: u.id })).then((r) => {
            if (r) props.onOpened(r.room);
          })
        }
      />
      <ErrorLine error={open.error} />
    </Dialog>
  );
}
