import type { RoomView } from '../../api/types.js';
import { countText } from './unread.js';

/** A room's (or DM's) unread and mention badges: "@N" and "N", heard as "N mentions" and "N unread". */
export function UnreadBadges({ room: r }: { room: Pick<RoomView, 'unread' | 'mentions'> }) {
  return (
    <>
      {(r.mentions ?? 0) > 0 && (
        <span className="count mention" data-testid="mention-count">
          <span aria-hidden="true">@{countText(r.mentions!)}</span>
          <span className="visually-hidden">{`${countText(r.mentions!)} ${r.mentions === 1 ? 'mention' : 'mentions'}`}</span>
        </span>
      )}
      {(r.unread ?? 0) > 0 && (
        <span className="count" data-testid="unread-count">
          <span aria-hidden="true">{countText(r.unread!)}</span>
          <span className="visually-hidden">{`${countText(r.unread!)} unread`}</span>
        </span>
      )}
    </>
  );
}
