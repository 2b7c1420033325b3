import { useEffect, useState } from 'react';
import { parseRoute, type Route } from './routes.js';

export type { Route } from './routes.js';

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
