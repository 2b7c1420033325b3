import { useState, type FormEvent } from 'react';
import { roomCustomizationBody } from '../../../../shared/schemas.js';
import type { RoomView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

const THEMES = roomCustomizationBody.shape.theme.options;

/** Room customization (after a room_customization purchase in the Shop): color and theme. */
export function RoomSettingsDialog(props: { open: boolean; onClose(): void; room: RoomView; onSaved(room: RoomView): void }) {
  const c = useClient();
  const [color, setColor] = useState(props.room.customization?.color ?? '#3b82f6');
  const [theme, setTheme] = useState<(typeof THEMES)[number]>(props.room.customization?.theme ?? 'light');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await run(() => c.http.patch<{ room: RoomView }>(`/api/rooms/${encodeURIComponent(props.room.id)}/customization`, { color, theme }));
    if (r) {
      props.onSaved(r.room);
      props.onClose();
    }
  };
  return (
    <Dialog title="Customize room" open={props.open} onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p className="muted small">Needs a “room customization” bought in the Shop for this room.</p>
        <label>
          Accent color
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <label>
          Theme
          <select value={theme} onChange={(e) => setTheme(e.target.value as (typeof THEMES)[number])}>
            {THEMES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <ErrorLine error={error} />
        <div className="row end">
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
