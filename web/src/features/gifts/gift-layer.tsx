import { useEffect, useRef, useState } from 'react';
import type { GiftView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { giftScale, giftSize, nextCombo } from './gift-effects.js';

interface Landing {
  key: number;
  gift: GiftView;
  combo: number;
}

/** How long one gift stays on screen. */
const SHOW_MS = 3500;

/**
 * Gifts landing in the room (`gift:received` on the room channel: members only, so an outsider
 * never sees one). An animation sized by the amount with a combo counter when gifts follow each
 * other; with "reduce motion" (the setting, or the OS preference) a quiet line instead.
 */
export function GiftLayer({ roomId }: { roomId: string }) {
  const c = useClient();
  const [landings, setLandings] = useState<Landing[]>([]);
  const combo = useRef<{ count: number; lastMs: number } | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const on = (g: GiftView): void => {
      if (g.roomId !== roomId) return;
      combo.current = nextCombo(combo.current, Date.now());
      const landing = { key: ++seq.current, gift: g, combo: combo.current.count };
      setLandings((all) => [...all.slice(-3), landing]);
      setTimeout(() => setLandings((all) => all.filter((l) => l.key !== landing.key)), SHOW_MS);
    };
    c.socket.on('gift:received', on);
    return () => {
      c.socket.off('gift:received', on);
    };
  }, [c.socket, roomId]);

  const quiet = c.reduceMotion.reduce;
  return (
    <div className={`gift-layer${quiet ? ' quiet' : ''}`} role="log" aria-live="polite" aria-label="Gifts">
      {landings.map(({ key, gift, combo: n }) => {
        const text = `${gift.from.username} gave ${gift.to.username} ${gift.amount} token${gift.amount === 1 ? '' : 's'}${gift.message ? `: “${gift.message}”` : ''}`;
        return quiet ? (
          <p key={key} className="gift-line" data-testid="gift-landed">
            🎁 {text}
            {n > 1 && ` (combo ×${n})`}
          </p>
        ) : (
          <div key={key} className={`gift-burst gift-${giftSize(gift.amount)}`} data-testid="gift-landed" style={{ ['--gift-scale' as string]: giftScale(gift.amount) }}>
            <span className="gift-icon" aria-hidden="true">
              🎁
            </span>
            <span className="gift-text">{text}</span>
            {n > 1 && <span className="combo">combo ×{n}</span>}
          </div>
        );
      })}
    </div>
  );
}
