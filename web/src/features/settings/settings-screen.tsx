import { useState, type FormEvent } from 'react';
import { changePasswordBody, setPinBody } from '../../../../shared/schemas.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';
import { PasswordField } from '../../ui/form-parts.js';
import { ProfileSection } from './profile-section.js';

/** Profile (name, bio, avatar, cosmetics), the transaction PIN (set once, changed with the password), password, reduce motion, and the user's id. */
export function SettingsScreen() {
  const c = useClient();
  const [password, setPassword] = useState('');
  const [pin, setPin] = useState('');
  const [saved, setSaved] = useState(false);
  const { busy, error, setError, run } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaved(false);
    const parsed = setPinBody.safeParse({ password, pin });
    if (!parsed.success) return setError({ code: 'VALIDATION_FAILED', message: `PIN: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    if (await run(() => c.http.post('/api/tokens/pin', parsed.data))) {
      setSaved(true);
      setPassword('');
      setPin('');
    }
  };
  return (
    <section className="settings">
      <h1>Settings</h1>
      <ProfileSection />
      <section className="card" aria-labelledby="pin-title">
        <h2 id="pin-title">Transaction PIN</h2>
        <p className="muted small">Gifts, purchases and refunds ask for this 4-digit PIN. Setting or changing it needs your password.</p>
        <form onSubmit={(e) => void submit(e)} className="stack">
          <PasswordField label="Current password" value={password} onChange={setPassword} autoComplete="current-password" />
          <label>
            New PIN
            <input type="password" inputMode="numeric" maxLength={4} autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} required />
          </label>
          <ErrorLine error={error} />
          {saved && <p role="status">PIN saved.</p>}
          <button type="submit" className="primary" disabled={busy}>
            Save PIN
          </button>
        </form>
      </section>
      <PasswordChange />
      <section className="card" aria-labelledby="motion-title">
        <h2 id="motion-title">Motion</h2>
        <fieldset>
          <legend>Reduce motion (gift animations become a quiet line)</legend>
          {(['system', 'on', 'off'] as const).map((v) => (
            <label key={v} className="inline">
              <input type="radio" name="reduce-motion" checked={c.reduceMotion.choice === v} onChange={() => c.reduceMotion.setChoice(v)} />{' '}
              {v === 'system' ? 'Follow my device' : v === 'on' ? 'Reduce motion' : 'Full animations'}
            </label>
          ))}
        </fieldset>
      </section>
      <section className="card" aria-labelledby="id-title">
        <h2 id="id-title">Your user id</h2>
        <p className="small">
          Share it to be invited to a private room: <code>{c.me.id}</code>
        </p>
      </section>
    </section>
  );
}

/** `POST /api/auth/password`: other devices are signed out; this tab keeps going with a new token. */
function PasswordChange() {
  const c = useClient();
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const { busy, error, setError, run } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = changePasswordBody.safeParse({ oldPassword, newPassword });
    if (!parsed.success) return setError({ code: 'VALIDATION_FAILED', message: `New password: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    // On success the app continues under the new token (a fresh shell), which shows the notice.
    await run(() => c.changePassword(parsed.data.oldPassword, parsed.data.newPassword));
  };
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <PasswordField label="Old password" value={oldPassword} onChange={setOld} autoComplete="current-password" />
        <PasswordField label="New password" value={newPassword} onChange={setNew} autoComplete="new-password" />
        <ErrorLine error={error} />
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}
