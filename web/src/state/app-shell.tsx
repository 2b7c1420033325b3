import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { connectSocket, listen } from '../api/socket.js';
import { toErrorBody, type Http } from '../api/http.js';
import type { AccountState, AwardOutcome, EconomyConfig, SessionExpiredNotice, TierName } from '../api/types.js';
import { errorText } from '../lib/errors.js';
import { ClientContext, type Client, type Me, type Toast, type Wallet } from './client.js';
import type { StoredSession } from './session.js';
import { useReduceMotion } from './preferences.js';
import { useRoute } from './router.js';
import { TopBar } from '../features/economy/top-bar.js';
import { ToastStack, type ToastItem } from '../features/economy/toasts.js';
import { ChatScreen } from '../features/chat/chat-screen.js';
import { ShopScreen } from '../features/shop/shop-screen.js';
import { LeaderboardScreen } from '../features/leaderboard/leaderboard-screen.js';
import { MeScreen } from '../features/economy/me-screen.js';
import { SettingsScreen } from '../features/settings/settings-screen.js';
import { AdminScreen } from '../features/admin/admin-screen.js';

interface TierAnswer {
  tier: TierName;
  badge: string;
  next: TierName | null;
  nextThreshold: number | null;
  remaining?: number | null;
  progress?: number | null;
}

/** What the login screen says after `session:expired`. */
const SESSION_END_TEXT: Record<SessionExpiredNotice['reason'], string> = {
  expired: 'Your session expired: please log in again.',
  logout: 'You logged out on another device or tab.',
  password_changed: 'Your password was changed: please log in with the new one.',
};

const EMPTY_WALLET: Wallet = { balance: null, tier: null, badge: null, next: null, nextThreshold: null, progress: null, remaining: null };
/** How long a toast stays. */
const TOAST_MS = 5000;

/**
 * The signed-in app: one HTTP client, one socket, the live wallet and the toasts, given to every
 * screen through ClientContext.
 */
export function AppShell(props: { session: StoredSession; http: Http; onSignOut(why: string | null): void; onSession(s: StoredSession): void }) {
  const { session, http } = props;
  const [me, setMe] = useState<Me>({ id: session.user.id, username: session.user.username, role: 'user' });
  const [wallet, setWallet] = useState<Wallet>(EMPTY_WALLET);
  const [config, setConfig] = useState<EconomyConfig | null>(null);
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const [route, navigate] = useRoute();
  const reduceMotion = useReduceMotion();
  const socket = useMemo(() => connectSocket(() => session.token), [session.token]);
  const toastSeq = useRef(0);

  const toast = useCallback((t: Toast) => {
    const id = ++toastSeq.current;
    setToasts((all) => [...all.slice(-4), { id, toast: t }]);
    setTimeout(() => setToasts((all) => all.filter((x) => x.id !== id)), TOAST_MS);
  }, []);
  const award = useCallback(
    (a: AwardOutcome | null | undefined) => {
      // Nothing to say when the activity simply is not paid (already rewarded, economy off).
      if (!a || (a.granted === 0 && (a.reason === 'ALREADY_REWARDED' || a.reason === 'ECONOMY_DISABLED' || a.reason === 'NOT_ELIGIBLE'))) return;
      toast({ kind: 'award', award: a });
    },
    [toast],
  );

  const fail = useCallback((err: unknown) => toast({ kind: 'error', error: toErrorBody(err) }), [toast]);
  const refreshWallet = useCallback(() => {
    void Promise.all([http.get<AccountState>(`/api/tokens/balance/${me.id}`), http.get<TierAnswer>(`/api/tokens/tier/${me.id}`)]).then(
      ([acc, t]) =>
        setWallet({ balance: acc.balance, tier: t.tier, badge: t.badge, next: t.next, nextThreshold: t.nextThreshold, progress: t.progress ?? null, remaining: t.remaining ?? null }),
      fail,
    );
  }, [http, me.id, fail]);

  useEffect(() => {
    http.get<{ user: Me }>('/api/users/me').then(
      ({ user }) => setMe(user),
      fail, // the cached name stays; the notice says why the rest is missing
    );
    http.get<{ config: EconomyConfig }>('/api/economy/config').then((c) => setConfig(c.config), fail);
    refreshWallet();
    const notice = sessionStorage.getItem('tc.notice');
    if (notice) {
      sessionStorage.removeItem('tc.notice');
      toast({ kind: 'info', text: notice });
    }
    const first = sessionStorage.getItem('tc.firstAward');
    if (first) {
      sessionStorage.removeItem('tc.firstAward');
      award(JSON.parse(first) as AwardOutcome);
    }
  }, [http, refreshWallet, award, fail, toast]);

  const onSignOut = useRef(props.onSignOut);
  onSignOut.current = props.onSignOut;
  // While this tab changes the password, the server's session:expired (password_changed) for
  // this socket is expected: the tab goes on with the new token instead of signing out.
  const changingPassword = useRef(false);
  useEffect(() => {
    // The progress bar needs the tier answer; the balance itself arrives with the event.
    let progressTimer: ReturnType<typeof setTimeout> | undefined;
    const onBalance = (e: { balance: number; tier: TierName }): void => {
      setWallet((w) => ({ ...w, balance: e.balance, tier: e.tier }));
      clearTimeout(progressTimer);
      progressTimer = setTimeout(refreshWallet, 250);
    };
    const onTier = (e: { to: TierName; badge: string }): void => toast({ kind: 'info', text: `${e.badge} New tier: ${e.to}` });
    const onAchievement = (e: { name: string; reward: number }): void => toast({ kind: 'info', text: `🏆 Achievement unlocked: ${e.name} (claim ${e.reward} tokens under Me)` });
    const onPenalty = (e: { action: string; reason: string }): void =>
      toast({ kind: 'info', text: `⚠ An administrator applied a penalty (${e.action.replace(/_/g, ' ')}): ${e.reason}` });
    const onConnectError = (err: Error & { data?: { error?: { code?: string } } }): void => {
      const code = err.data?.error?.code ?? err.message;
      if (code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID' || code === 'UNAUTHENTICATED' || code === 'USER_NOT_FOUND') {
        onSignOut.current(`You were signed out (${code === 'TOKEN_EXPIRED' ? 'your session expired' : 'your session is no longer valid'}).`);
      }
    };
    const onSessionExpired = (e: SessionExpiredNotice): void => {
      if (e.reason === 'password_changed' && changingPassword.current) return;
      onSignOut.current(SESSION_END_TEXT[e.reason]);
    };
    const unlisten = listen(socket, { 'session:expired': onSessionExpired, 'tokens:balance': onBalance, 'tier:changed': onTier, 'achievement:unlocked': onAchievement, 'penalty:applied': onPenalty });
    socket.on('connect_error', onConnectError);
    socket.connect();
    return () => {
      clearTimeout(progressTimer);
      unlisten();
      socket.off('connect_error', onConnectError);
      socket.disconnect();
    };
  }, [socket, refreshWallet, toast]);

  const client: Client = {
    me,
    http,
    socket,
    wallet,
    refreshWallet,
    config,
    toast,
    fail,
    award,
    reduceMotion,
    logout: async () => {
      try {
        await http.post('/api/auth/logout');
        props.onSignOut(null);
      } catch (err) {
        // Signed out here anyway; the notice says the server could not be told.
        props.onSignOut(`Signed out on this device; the server could not end the session: ${errorText(toErrorBody(err))}`);
      }
    },
    changePassword: async (oldPassword, newPassword) => {
      changingPassword.current = true;
      try {
        const s = await http.post<StoredSession>('/api/auth/password', { oldPassword, newPassword });
        sessionStorage.setItem('tc.notice', 'Password changed; your other sessions were signed out.');
        // The flag stays set: this shell (and its old-token socket) is being replaced, and the
        // server's session:expired for that socket may arrive after this answer.
        props.onSession({ token: s.token, user: s.user });
      } catch (err) {
        changingPassword.current = false;
        throw err;
      }
    },
    navigate,
  };

  return (
    <ClientContext.Provider value={client}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <TopBar route={route} />
      {route.name === 'chat' && <ChatScreen roomId={route.roomId} />}
      {route.name !== 'chat' && (
        <main id="main" className="page" tabIndex={-1}>
          {route.name === 'shop' && <ShopScreen />}
          {route.name === 'leaderboard' && <LeaderboardScreen />}
          {route.name === 'me' && <MeScreen />}
          {route.name === 'settings' && <SettingsScreen />}
          {route.name === 'admin' && (me.role === 'admin' ? <AdminScreen /> : <p role="alert">Only administrators can open the dashboard.</p>)}
        </main>
      )}
      <ToastStack items={toasts} />
    </ClientContext.Provider>
  );
}
