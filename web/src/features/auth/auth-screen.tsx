import { useState, type FormEvent } from 'react';
import { loginBody, registerBody } from '../../../../shared/schemas.js';
import type { AwardOutcome, UserSummary } from '../../api/types.js';
import type { Http } from '../../api/http.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

interface SessionAnswer {
  token: string;
  user: UserSummary;
  award?: AwardOutcome | null;
}

/**
 * Sign up or log in with one form: "Sign up" registers (`POST /api/auth/register`), "Log in"
 * signs in (`POST /api/auth/login`). The shared schemas check the fields first, so a too-short
 * password is explained before any request.
 */
export function AuthScreen(props: { http: Http; notice: string | null; onSession(s: SessionAnswer): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = (mode: 'register' | 'login') => async (e?: FormEvent) => {
    e?.preventDefault();
    const schema = mode === 'register' ? registerBody : loginBody;
    const parsed = schema.safeParse({ username, password });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setError({ code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') === 'username' ? 'Username' : 'Password'}: ${issue?.message ?? 'not valid'}` });
      return;
    }
    const answer = await run(() => props.http.post<SessionAnswer>(`/api/auth/${mode}`, parsed.data));
    if (answer) props.onSession(answer);
  };

  return (
    <main className="auth" id="main">
      <h1>
        <span aria-hidden="true">🪙</span> token-chat
      </h1>
      <p className="muted">Chat in rooms, earn tokens as you talk, gift them to friends.</p>
      {props.notice && (
        <p className="notice" role="status">
          {props.notice}
        </p>
      )}
      <form className="card auth-form" onSubmit={submit('login')}>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ErrorLine error={error} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            Log in
          </button>
          <button type="button" disabled={busy} onClick={() => void submit('register')()}>
            Sign up
          </button>
        </div>
        <p className="muted small">New here? Choose a username (3–32 letters, digits or _) and a password of 8+ characters, then Sign up.</p>
      </form>
    </main>
  );
}
