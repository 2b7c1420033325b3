import type { UserSummary } from '../api/types.js';

/** What survives a reload: the JWT and who it belongs to (localStorage, this origin only). */
export interface StoredSession {
  token: string;
  user: UserSummary;
}

const KEY = 'tc.session';

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    return typeof s.token === 'string' && s.user && typeof s.user.id === 'string' ? (s as StoredSession) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: StoredSession | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}
