import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { giftSendPayload } from '../../../../shared/schemas.js';
import { emitAck } from '../../api/socket.js';
import type { MemberView } from '../../api/types.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { FormFooter, PinField } from '../../ui/form-parts.js';
import { useAction } from '../../ui/use-action.js';

const FIELD_NAMES: Record<string, string> = { toUserId: 'Recipient', amount: 'Amount', pin: 'PIN', message: 'Note' };

/**
 * The gift dialog (`gift:send` in the open room, so every member sees it land). One requestId per
 * opening: pressing "Send gift" again after a timeout retries the same gift, never a second one.
 */
export function GiftDialog(props: { open: boolean; onClose(): void; roomId: string; members: MemberView[] }) {
  const c = useClient();
  const others = useMemo(() => props.members.filter((m) => m.user.id !== c.me.id), [props.members, c.me.id]);
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('10');
  const [message, setMessage] = useState('');
  const [pin, setPin] = useState('');
  const [requestId, setRequestId] = useState(() => newRequestId('g'));
  const { busy, error, setError, run } = useAction();

  useEffect(() => {
    if (props.open) {
      setRequestId(newRequestId('g'));
      setError(null);
      setPin('');
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.open]);
  // The member list may arrive or change while the dialog is open: keep a valid recipient selected.
  useEffect(() => {
    if (!others.some((m) => m.user.id === to)) setTo(others[0]?.user.id ?? '');
  }, [others, to]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = giftSendPayload.safeParse({ toUserId: to, amount: Number(amount), pin, requestId, roomId: props.roomId, ...(message.trim() ? { message: message.trim() } : {}) });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return setError({ code: 'VALIDATION_FAILED', message: `${FIELD_NAMES[String(i?.path[0])] ?? 'Gift'}: ${i?.message ?? 'not valid'}` });
    }
    const r = await run(() => emitAck(c.socket, 'gift:send', parsed.data));
    if (r) {
      c.toast({ kind: 'info', text: `🎁 You gave ${r.gift.to.username} ${r.gift.amount} tokens` });
      setMessage('');
      props.onClose();
    }
  };

  return (
    <Dialog title="Send a gift" open={props.open} onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Recipient
          <select value={to} onChange={(e) => setTo(e.target.value)} required>
            {others.length === 0 && <option value="">Nobody else is in this room yet</option>}
            {others.map((m) => (
              <option key={m.user.id} value={m.user.id}>
                {m.user.username}
              </option>
            ))}
          </select>
        </label>
        <label>
          Amount
          <input type="number" min={1} inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} required />
        </label>
        <label>
          Note (optional)
          <input value={message} onChange={(e) => setMessage(e.target.value)} maxLength={280} />
        </label>
        <PinField value={pin} onChange={setPin} />
        <p className="muted small">
          Your balance: {c.wallet.balance ?? '…'}. No PIN yet?{' '}
          <a
            href="/settings"
            onClick={(e) => {
              e.preventDefault();
              c.navigate('/settings');
            }}
          >
            Set it in Settings
          </a>
          .
        </p>
        <FormFooter error={error} busy={busy} submitLabel="Send gift" onCancel={props.onClose} disabled={others.length === 0} />
      </form>
    </Dialog>
  );
}
