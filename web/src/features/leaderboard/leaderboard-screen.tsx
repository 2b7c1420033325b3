import { useEffect, useState } from 'react';
import type { Leaderboard } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

/** `GET /api/leaderboard/tokens`: lifetime earned for everyone; admins may rank by balance. */
export function LeaderboardScreen() {
  const c = useClient();
  const [by, setBy] = useState<'earned' | 'balance'>('earned');
  const [board, setBoard] = useState<Leaderboard | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () => setBoard(await c.http.get<Leaderboard>(`/api/leaderboard/tokens?by=${by}&limit=50`)));
  }, [c.http, by, run]);
  return (
    <section>
      <h1>Leaderboard</h1>
      {c.me.role === 'admin' && (
        <label>
          Rank by{' '}
          <select value={by} onChange={(e) => setBy(e.target.value as 'earned' | 'balance')}>
            <option value="earned">lifetime earned</option>
            <option value="balance">balance (admins)</option>
          </select>
        </label>
      )}
      <ErrorLine error={error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">User</th>
            <th scope="col">{by === 'earned' ? 'Earned' : 'Balance'}</th>
          </tr>
        </thead>
        <tbody>
          {board?.items.map((r) => (
            <tr key={r.user.id} className={r.user.id === c.me.id ? 'me' : ''}>
              <td>{r.rank}</td>
              <td>
                {r.user.badge} {r.user.username}
              </td>
              <td>{r.value.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {board && board.items.length === 0 && <p className="muted">Nobody has earned anything yet.</p>}
    </section>
  );
}
