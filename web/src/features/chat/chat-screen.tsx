import { useState } from 'react';
import { useClient } from '../../state/client.js';
import { RoomList } from '../rooms/room-list.js';
import type { ReadCounts } from '../rooms/unread.js';
import { RoomView } from './room-view.js';

/** The chat home: rooms on the left, the open room (or a welcome) in the middle. */
export function ChatScreen({ roomId }: { roomId: string | null }) {
  const c = useClient();
  const [roomsVersion, setRoomsVersion] = useState(0);
  const [readAck, setReadAck] = useState<ReadCounts | null>(null);
  return (
    <div className="chat-layout">
      <RoomList activeId={roomId} refreshKey={roomsVersion} readAck={readAck} />
      <main id="main" className="room-main" tabIndex={-1}>
        {roomId ? (
          <RoomView key={roomId} roomId={roomId} onRoomsChanged={() => setRoomsVersion((v) => v + 1)} onRead={setReadAck} />
        ) : (
          <section className="welcome">
            <h1>Welcome, {c.me.username}</h1>
            <p>Pick a room on the left or press “New room”. Every message, file and first join earns tokens, up to a daily cap.</p>
            <p className="muted">Gifts need a 4-digit PIN: set it once in Settings.</p>
          </section>
        )}
      </main>
    </div>
  );
}
