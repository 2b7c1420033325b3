import { useCallback, useEffect, useState } from 'react';
import type { NotificationView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { toErrorBody } from '../../api/http.js';
import { listen } from '../../api/socket.js';
import { ErrorLine } from '../../ui/error-line.js';
import type { ErrorBody } from '../../api/types.js';

/** One stored notification in words (gift and room_reward are the kinds the server writes). */
function describe(n: NotificationView): string {
  const d = n.data as { from?: { username?: string }; by?: { username?: string }; amount?: number; message?: string | null; reason?: string };
  if (n.type === 'gift') return `🎁 ${d.from?.username ?? 'Someone'} gifted you ${d.amount ?? '?'} tokens${d.message ? `: “${d.message}”` : ''}`;
  if (n.type === 'room_reward') return `🏅 ${d.by?.username ?? 'A moderator'} rewarded you ${d.amount ?? '?'} tokens: ${d.reason ?? ''}`;
  return n.type.replace(/_/g, ' ');
}

/**
 * The bell: unread count from `GET /api/notifications?unread=true`, refreshed when a gift or a
 * reward reaches this user live; opening it lists the latest and marks them read.
 */
export function NotificationBell() {
  const c = useClient();
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationView[]>([]);
  const [error, setError] = useState<ErrorBody | null>(null);

  const refresh = useCallback(() => {
    c.http.get<{ items: NotificationView[] }>('/api/notifications?unread=true&limit=100').then(
      (r) => setUnread(r.items.length),
      (err: unknown) => setError(toErrorBody(err)),
    );
  }, [c.http]);

  useEffect(() => {
    refresh();
    const onGift = (e: { to: { id: string } }): void => {
      if (e.to.id === c.me.id) refresh();
    };
    return listen(c.socket, { 'gift:received': onGift, 'room:rewarded': onGift });
  }, [c.socket, c.me.id, refresh]);

  const toggle = async (): Promise<void> => {
    if (open) return setOpen(false);
    setOpen(true);
    setError(null);
    try {
      const r = await c.http.get<{ items: NotificationView[] }>('/api/notifications?limit=20');
      setItems(r.items);
      const ids = r.items.filter((n) => !n.read).map((n) => n.id);
      if (ids.length > 0) await c.http.post('/api/notifications/read', { ids });
      refresh();
    } catch (err) {
      setError(toErrorBody(err));
    }
  };

  return (
    <div className="bell">
      <button type="button" aria-expanded={open} aria-controls="notification-list" onClick={() => void toggle()} aria-label={`Notifications, ${unread} unread`}>
        <span aria-hidden="true">🔔</span>
        {unread > 0 && (
          <span className="badge-count" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="popover" id="notification-list" role="region" aria-label="Notifications">
          <ErrorLine error={error} />
          {items.length === 0 && !error && <p className="muted">No notifications yet.</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} className={n.read ? '' : 'unread'}>
                {describe(n)} <time className="muted small">{new Date(n.createdAt).toLocaleString()}</time>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
