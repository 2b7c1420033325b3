import type { Route } from '../../state/router.js';
import { useClient } from '../../state/client.js';
import { NotificationBell } from '../notifications/bell.js';
import { DailyClaimButton } from './daily-claim.js';

const NAV: Array<{ path: string; label: string; route: Route['name']; adminOnly?: boolean }> = [
  { path: '/', label: 'Chat', route: 'chat' },
  { path: '/shop', label: 'Shop', route: 'shop' },
  { path: '/leaderboard', label: 'Leaderboard', route: 'leaderboard' },
  { path: '/me', label: 'Me', route: 'me' },
  { path: '/settings', label: 'Settings', route: 'settings' },
  { path: '/admin', label: 'Admin', route: 'admin', adminOnly: true },
];

/** Always visible: navigation, the balance, the tier badge with progress, daily claim, the bell. */
export function TopBar({ route }: { route: Route }) {
  const c = useClient();
  const w = c.wallet;
  const pct = w.progress === null ? 100 : Math.round(w.progress * 100);
  return (
    <header className="topbar">
      <span className="brand">
        <span aria-hidden="true">🪙</span> token-chat
      </span>
      <nav aria-label="Main">
        <ul>
          {NAV.filter((n) => !n.adminOnly || c.me.role === 'admin').map((n) => (
            <li key={n.path}>
              <a
                href={n.path}
                aria-current={route.name === n.route ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  c.navigate(n.path);
                }}
              >
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="wallet">
        <span className="balance" role="status" aria-label="Balance" data-testid="balance">
          {w.balance === null ? '…' : w.balance.toLocaleString('en')}
        </span>
        <span className="muted small" aria-hidden="true">
          tokens
        </span>
        {w.tier && (
          <span className="tier" title={w.next ? `${w.remaining ?? '?'} to ${w.next}` : 'Top tier'}>
            <span aria-label={`Tier ${w.tier}`}>{w.badge}</span>
            <progress
              max={100}
              value={pct}
              aria-label={w.next ? `Progress to ${w.next}: ${pct}%` : 'Top tier reached'}
            />
          </span>
        )}
        <DailyClaimButton />
        <NotificationBell />
        <span className="who">{c.me.username}</span>
        <button type="button" onClick={() => void c.logout()}>
          Log out
        </button>
      </div>
    </header>
  );
}
