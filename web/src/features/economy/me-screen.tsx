import { useCallback, useEffect, useState } from 'react';
import type { UserAchievementView, WindowedSums } from '../../api/types.js';
import { activityText } from '../../lib/errors.js';
import { useClient } from '../../state/client.js';
import { BarChart } from '../../ui/bar-chart.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

type Window = 'today' | 'thisWeek' | 'thisMonth' | 'allTime';
const WINDOWS: Array<[Window, string]> = [
  ['today', 'Today'],
  ['thisWeek', 'This week'],
  ['thisMonth', 'This month'],
  ['allTime', 'All time'],
];
const bars = (r: Record<string, number>): Array<{ label: string; value: number }> => Object.entries(r).map(([k, v]) => ({ label: activityText(k), value: v }));

/** The caller's tier progress, achievements (progress and claim) and earning/spending charts. */
export function MeScreen() {
  const c = useClient();
  const [achievements, setAchievements] = useState<UserAchievementView[]>([]);
  const [earning, setEarning] = useState<WindowedSums | null>(null);
  const [spending, setSpending] = useState<WindowedSums | null>(null);
  const [win, setWin] = useState<Window>('allTime');
  const load = useAction();
  const claim = useAction();

  const refresh = useCallback(() => {
    void load.run(async () => {
      const [a, e, s] = await Promise.all([
        c.http.get<{ achievements: UserAchievementView[] }>(`/api/achievements/user/${c.me.id}`),
        c.http.get<WindowedSums>(`/api/tokens/earning-stats/${c.me.id}`),
        c.http.get<WindowedSums>(`/api/tokens/spending-stats/${c.me.id}`),
      ]);
      setAchievements(a.achievements);
      setEarning(e);
      setSpending(s);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http, c.me.id]);
  useEffect(refresh, [refresh]);

  const claimOne = async (id: string): Promise<void> => {
    const r = await claim.run(() => c.http.post<{ reward?: number }>('/api/achievements/claim', { achievementId: id }));
    if (r) {
      c.toast({ kind: 'info', text: `🏆 Claimed${typeof r.reward === 'number' ? ` ${r.reward} tokens` : ''}` });
      refresh();
    }
  };
  const w = c.wallet;
  return (
    <section>
      <h1>{c.me.username}</h1>
      <p>
        Tier {w.badge} <strong>{w.tier ?? '…'}</strong>
        {w.next ? ` · ${w.remaining ?? '?'} more to ${w.next}` : w.tier ? ' · top tier' : ''}
      </p>
      <ErrorLine error={load.error} />
      <h2>Achievements</h2>
      <ErrorLine error={claim.error} />
      <ul className="cards">
        {achievements.map((a) => (
          <li key={a.id} className="card">
            <h3>{a.name}</h3>
            <p className="muted small">{a.description}</p>
            <progress max={a.threshold} value={Math.min(a.value, a.threshold)} aria-label={`${a.name}: ${Math.min(a.value, a.threshold)} of ${a.threshold}`} />
            <p className="small">
              {Math.min(a.value, a.threshold)} / {a.threshold} · reward {a.reward}
            </p>
            {a.claimed ? (
              <span className="pill">claimed</span>
            ) : (
              <button type="button" disabled={!a.unlocked || claim.busy} onClick={() => void claimOne(a.id)} aria-label={`${a.unlocked ? 'Claim' : 'Locked'}: ${a.name}`}>
                {a.unlocked ? 'Claim' : 'Locked'}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>Earning and spending</h2>
      <div role="group" aria-label="Period" className="row">
        {WINDOWS.map(([k, label]) => (
          <button key={k} type="button" aria-pressed={win === k} onClick={() => setWin(k)}>
            {label}
          </button>
        ))}
      </div>
      {earning && spending && (
        <div className="charts">
          <BarChart title={`Earned by activity (total ${earning.totals[win]})`} data={bars(earning[win])} />
          <BarChart title={`Spent by category (total ${spending.totals[win]})`} data={bars(spending[win])} />
        </div>
      )}
    </section>
  );
}
