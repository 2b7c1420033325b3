import { useEffect, useState } from 'react';

/** The app's screens, one per path; anything else is the chat home. */
export type Route =
  | { name: 'chat'; roomId: string | null }
  | { name: 'shop' }
  | { name: 'leaderboard' }
  | { name: 'me' }
  | { name: 'settings' }
  | { name: 'admin' };

export function parseRoute(path: string): Route {
  const room = /^\/rooms\/([^/]+)$/.exec(path);
  if (room?.[1]) return { name: 'chat', roomId: decodeURIComponent(room[1]) };
  if (path === '/shop') return { name: 'shop' };
  if (path === '/leaderboard') return { name: 'leaderboard' };
  if (path === '/me') return { name: 'me' };
  if (path === '/settings') return { name: 'settings' };
  if (path === '/admin') return { name: 'admin' };
  return { name: 'chat', roomId: null };
}

/** Path-based routing on the History API (the server answers index.html for these paths). */
export function useRoute(): [Route, (path: string) => void] {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const on = (): void => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  const navigate = (to: string): void => {
    if (to !== location.pathname) history.pushState(null, '', to);
    setPath(to);
  };
  return [parseRoute(path), navigate];
}
