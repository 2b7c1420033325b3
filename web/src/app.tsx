import { useMemo, useState } from 'react';
import { createHttp } from './api/http.js';
import { errorText } from './lib/errors.js';
import { loadSession, saveSession, type StoredSession } from './state/session.js';
import { AuthScreen } from './features/auth/auth-screen.js';
import { AppShell } from './state/app-shell.js';

/**
 * Signed out: the auth screen. Signed in: the shell. The session (token + user) is kept in
 * localStorage so a reload stays signed in; a 401 from the server (expired token) signs out and
 * says why.
 */
export function App() {
  const [session, setSession] = useState<StoredSession | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);
  const signOut = (why: string | null): void => {
    saveSession(null);
    setSession(null);
    setNotice(why);
  };
  const http = useMemo(
    () =>
      createHttp(
        () => session?.token ?? null,
        (body) => signOut(`You were signed out: ${errorText(body)}`),
      ),
    [session?.token],
  );
  if (!session) {
    return (
      <AuthScreen
        http={http}
        notice={notice}
        onSession={(s) => {
          const stored = { token: s.token, user: s.user };
          saveSession(stored);
          setNotice(null);
          setSession(stored);
          if (s.award) sessionStorage.setItem('tc.firstAward', JSON.stringify(s.award));
        }}
      />
    );
  }
  const replace = (s: StoredSession): void => {
    saveSession(s);
    setSession(s);
  };
  return <AppShell key={session.token} session={session} http={http} onSignOut={signOut} onSession={replace} />;
}
