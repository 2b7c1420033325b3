import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { listen } from '../../api/socket.js';
import type { DirectRoomView, UserSummary } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

/** How a person is named in the client: their display name when they set one. */
export const personName = (u: UserSummary): string => u.displayName ?? u.username;

/**
 * The caller's direct messages (`GET /api/dms`, newest first; `dm:opened` adds one live) and the
 * "New message" dialog that finds a person and opens the pair's room.
 */
export function DmList(props: { activeId: string | null }) {
  const c = useClient();
  const [dms, setDms] = useState<DirectRoomView[]>([]);
  const [finding, setFinding] = useState(false);
  const list = useAction();
  const load = useCallback(() => {
    void list.run(async () => setDms((await c.http.get<{ dms: DirectRoomView[] }>('/api/dms?limit=100')).dms));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http]);
  useEffect(load, [load]);
  useEffect(() => listen(c.socket, { 'dm:opened': load }), [c.socket, load]);

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
              aria-current={props.activeId === d.id ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                c.navigate(`/rooms/${d.id}`);
              }}
            >
              <span className="room-name">{personName(d.peer)}</span>
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

/** Searches people by username or display name prefix (`GET /api/users?search=`) and opens a DM (`POST /api/dms`). */
function FindPeopleDialog(props: { open: boolean; onClose(): void; onOpened(room: DirectRoomView): void }) {
  const c = useClient();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UserSummary[] | null>(null);
  const search = useAction();
  const open = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await search.run(() => c.http.get<{ users: UserSummary[] }>(`/api/users?search=${encodeURIComponent(query.trim())}&limit=20`));
    if (r) setFound(r.users.filter((u) => u.id !== c.me.id));
  };
  const message = async (u: UserSummary): Promise<void> => {
    const r = await open.run(() => c.http.post<{ room: DirectRoomView; created: boolean }>('/api/dms', { userId: u.id }));
    if (r) {
      setQuery('');
      setFound(null);
      props.onOpened(r.room);
    }
  };
  return (
    <Dialog title="New message" open={props.open} onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Search people
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name or username (2+ letters)" autoFocus />
        </label>
        <ErrorLine error={search.error} />
        <button type="submit" className="primary" disabled={search.busy}>
          Search
        </button>
      </form>
      {found && found.length === 0 && <p className="muted">Nobody found.</p>}
      {found && found.length > 0 && (
        <ul className="people" aria-label="People found">
          {found.map((u) => (
            <li key={u.id} className="member-line">
              <span>
                {u.badge && <span aria-hidden="true">{u.badge} </span>}
                {personName(u)}
                {u.displayName && <span className="muted small"> @{u.username}</span>}
              </span>
              <button type="button" disabled={open.busy} aria-label={`Message ${u.username}`} onClick={() => void message(u)}>
                Message
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={open.error} />
    </Dialog>
  );
}
