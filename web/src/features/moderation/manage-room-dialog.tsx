import { useState, type FormEvent } from 'react';
import { updateRoomBody } from '../../../../shared/schemas.js';
import type { MemberView, RoomView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { ErrorLine } from '../../ui/error-line.js';
import { FormFooter } from '../../ui/form-parts.js';
import { useAction } from '../../ui/use-action.js';
import { personName } from '../people/person.js';

/**
 * The owner's room management (server/rooms/management.ts; the server checks the owner again):
 * rename and re-describe (`PATCH /api/rooms/:id`), hand the room to a member
 * (`POST /api/rooms/:id/owner`: the owner becomes a moderator) and delete it (`DELETE
 * /api/rooms/:id`, asked twice). Each refusal is shown in words where it happened.
 */
export function ManageRoomDialog(props: { open: boolean; onClose(): void; room: RoomView; members: MemberView[]; onSaved(room: RoomView): void; onTransferred(): void; onDeleted(): void }) {
  const c = useClient();
  const base = `/api/rooms/${encodeURIComponent(props.room.id)}`;
  const [name, setName] = useState(props.room.name);
  const [description, setDescription] = useState(props.room.description ?? '');
  const others = props.members.filter((m) => m.user.id !== c.me.id);
  const [heir, setHeir] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const details = useAction();
  const transfer = useAction();
  const remove = useAction();

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = updateRoomBody.safeParse({ name, description });
    if (!parsed.success) return details.setError({ code: 'VALIDATION_FAILED', message: `Room name: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    const r = await details.run(() => c.http.patch<{ room: RoomView }>(base, parsed.data));
    if (r) {
      c.toast({ kind: 'info', text: 'Room details saved' });
      props.onSaved(r.room);
    }
  };
  const handOver = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const to = others.find((m) => m.user.id === heir);
    if (!to) return transfer.setError({ code: 'VALIDATION_FAILED', message: 'Choose the member who becomes the owner' });
    if (await transfer.run(() => c.http.post<{ room: RoomView }>(`${base}/owner`, { userId: to.user.id }))) {
      c.toast({ kind: 'info', text: `${personName(to.user)} now owns the room; you are a moderator` });
      props.onTransferred();
    }
  };
  const destroy = async (): Promise<void> => {
    if (await remove.run(() => c.http.del(base))) props.onDeleted();
  };

  return (
    <Dialog title="Manage room" open={props.open} onClose={props.onClose}>
      <form onSubmit={(e) => void save(e)} className="stack" aria-label="Room details">
        <label>
          Room name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
        </label>
        <FormFooter error={details.error} busy={details.busy} submitLabel="Save details" />
      </form>
      <hr />
      <form onSubmit={(e) => void handOver(e)} className="stack" aria-label="Transfer ownership">
        <label>
          New owner
          <select value={heir} onChange={(e) => setHeir(e.target.value)}>
            <option value="">Choose a member…</option>
            {others.map((m) => (
              <option key={m.user.id} value={m.user.id}>
                {personName(m.user)} ({m.role})
              </option>
            ))}
          </select>
        </label>
        <FormFooter error={transfer.error} busy={transfer.busy} submitLabel="Transfer ownership" disabled={others.length === 0} />
      </form>
      <hr />
      <div className="stack">
        <p className="small">Deleting removes the room, its members, invites and bans for everyone.</p>
        <ErrorLine error={remove.error} />
        {confirmDelete ? (
          <div className="row end">
            <span className="small">Delete “{props.room.name}” for everyone?</span>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
            <button type="button" className="danger" disabled={remove.busy} onClick={() => void destroy()}>
              Yes, delete
            </button>
          </div>
        ) : (
          <div className="row end">
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
              Delete room
            </button>
          </div>
        )}
      </div>
    </Dialog>
  );
}
