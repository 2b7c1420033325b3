import { useState } from 'react';
import type { DailyClaimResult } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { errorText } from '../../lib/errors.js';
import { toErrorBody } from '../../api/http.js';

/** `POST /api/tokens/claim-daily`: the daily login reward and the streak. */
export function DailyClaimButton() {
  const c = useClient();
  const [streak, setStreak] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const claim = async (): Promise<void> => {
    setBusy(true);
    try {
      const r = await c.http.post<DailyClaimResult>('/api/tokens/claim-daily');
      setStreak(r.streak);
      c.award(r.award);
      c.award(r.weeklyStreakAward);
      c.award(r.monthlyActiveAward);
      c.toast({ kind: 'info', text: `🔥 Streak: ${r.streak} day${r.streak === 1 ? '' : 's'} (longest ${r.longestStreak})` });
    } catch (err) {
      const body = toErrorBody(err);
      c.toast(body.code === 'ALREADY_CLAIMED' ? { kind: 'info', text: `Daily reward: ${errorText(body)} today` } : { kind: 'error', error: body });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" onClick={() => void claim()} disabled={busy}>
      Daily claim{streak !== null ? ` · 🔥${streak}` : ''}
    </button>
  );
}
