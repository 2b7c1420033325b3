import { useState, type FormEvent } from 'react';
import type { UserSummary } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

/** How a person is named in the client: their display name when they set one. */
export const personName = (u: Pick<UserSummary, 'username' | 'displayName'>): string => u.displayName ?? u.username;

/**
 * A person's avatar: their uploaded image (`avatarUrl`, public and immutable) or their initial.
 * Decorative next to the name that follows it (empty alt), so screen readers hear the name once.
 * An equipped avatar frame (a shop cosmetic) draws a ring around it.
 */
export function Avatar({ user, size = 'small' }: { user: UserSummary; size?: 'small' | 'large' }) {
  const framed = user.equipped?.avatar_frame !== undefined;
  const cls = `avatar ${size}${framed ? ' framed' : ''}`;
  if (user.avatarUrl) return <img className={cls} src={user.avatarUrl} alt="" data-testid="avatar" />;
  return (
    <span className={cls} aria-hidden="true">
      {personName(user).slice(0, 1).toUpperCase()}
    </span>
  );
}

/** Name with avatar and tier badge, and the username when a display name stands in for it. */
export function PersonLabel({ user }: { user: UserSummary }) {
  return (
    <span className="person">
      <Avatar user={user} />
      {user.badge && <span aria-hidden="true">{user.badge} </span>}
      {personName(user)}
      {user.displayName && <span className="muted small"> @{user.username}</span>}
    </span>
  );
}

/**
 * Finds people by username or display name prefix (`GET /api/users?search=`, 2+ characters: a
 * shorter one shows the server's refusal) and offers one action per person found (message them,
 * invite them...). The caller's own account is left out.
 */
export function PersonSearch(props: { label: string; actionText: string; busy: boolean; onPick(u: UserSummary): void; exclude?: ReadonlySet<string> }) {
  const c = useClient();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UserSummary[] | null>(null);
  const search = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await search.run(() => c.http.get<{ users: UserSummary[] }>(`/api/users?search=${encodeURIComponent(query.trim())}&limit=20`));
    if (r) setFound(r.users.filter((u) => u.id !== c.me.id && !props.exclude?.has(u.id)));
  };
  return (
    <div className="stack">
      <form onSubmit={(e) => void submit(e)} className="search-row">
        <label>
          {props.label}
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name or username (2+ letters)" />
        </label>
        <button type="submit" disabled={search.busy}>
          Search
        </button>
      </form>
      <ErrorLine error={search.error} />
      {found && found.length === 0 && <p className="muted small">Nobody found.</p>}
      {found && found.length > 0 && (
        <ul className="people" aria-label="People found">
          {found.map((u) => (
            <li key={u.id} className="member-line">
              <PersonLabel user={u} />
              <button type="button" disabled={props.busy} aria-label={`${props.actionText} ${u.username}`} onClick={() => props.onPick(u)}>
                {props.actionText}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
