import { useEffect, useState, type FormEvent } from 'react';
import { roomRewardPayload } from '../../../../shared/schemas.js';
import { emitAck } from '../../api/socket.js';
import type { MemberView, RewardView } from '../../api/types.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { Dialog } from '../../ui/dialog.js';
import { FormFooter } from '../../ui/form-parts.js';
import { useAction } from '../../ui/use-action.js';

/**
 * The room reward dialog (`room:reward`). Before the first reward of the visit the budget left is
 * the configured daily budget minus today's grants of the room (`GET /api/rooms/:id/rewards`);
 * after a reward it is the server's own `budgetLeft`.
 */
export function RewardDialog(props: { roomId: string; member: MemberView; onClose(): void }) {
  const c = useClient();
  const [amount, setAmount] = useState('10');
  const [reason, setReason] = useState('');
  const [budgetLeft, setBudgetLeft] = useState<number | null>(null);
  const [requestId] = useState(() => newRequestId('rw'));
  const { busy, error, setError, run } = useAction();
  const limits = c.config?.roomRewards;

  useEffect(() => {
    if (!limits) return;
    const dayStart = new Date();
    dayStart.setUTCHours(0, 0, 0, 0);
    c.http.get<{ items: RewardView[] }>(`/api/rooms/${encodeURIComponent(props.roomId)}/rewards?limit=100`).then(
      (r) => setBudgetLeft(Math.max(0, limits.dailyBudgetTokens - r.items.filter((g) => new Date(g.at) >= dayStart).reduce((s, g) => s + g.amount, 0))),
      c.fail,
    );
  }, [c.http, c.fail, props.roomId, limits]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = roomRewardPayload.safeParse({ roomId: props.roomId, userId: props.member.user.id, amount: Number(amount), reason, requestId });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return setError({ code: 'VALIDATION_FAILED', message: `${i?.path.join('.') === 'amount' ? 'Amount' : 'Reason'}: ${i?.message ?? 'not valid'}` });
    }
    const r = await run(() => emitAck(c.socket, 'room:reward', parsed.data));
    if (r) {
      setBudgetLeft(r.budgetLeft);
      c.toast({ kind: 'info', text: `Rewarded ${r.to.username} ${r.amount} tokens (${r.budgetLeft} left in today's budget)` });
      props.onClose();
    }
  };

  return (
    <Dialog title={`Reward ${props.member.user.username}`} open onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <p className="muted" role="status">
          Budget left today: <strong>{budgetLeft ?? '…'}</strong>
          {limits && ` of ${limits.dailyBudgetTokens} · at most ${limits.maxPerRewardTokens} per reward`}
        </p>
        <label>
          Amount
          <input type="number" min={1} inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} required />
        </label>
        <label>
          Reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={limits?.reasonMaxChars ?? 200} required />
        </label>
        <FormFooter error={error} busy={busy} submitLabel="Send reward" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
