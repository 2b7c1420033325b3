/** The app's routes as pure data: a path in, a screen out (no DOM, unit-tested). */
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
