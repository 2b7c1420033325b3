import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { updateProfileBody } from '../../../../shared/schemas.js';
import type { CosmeticSlot, CosmeticView, ShopItemView, UserSummary } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';
import { Avatar } from '../people/person.js';

type MyProfile = UserSummary & { bio: string };

const SLOT_NAMES: Record<CosmeticSlot, string> = { avatar_frame: 'Avatar frame', chat_color: 'Chat color', emoji: 'Emoji', badge: 'Badge', theme: 'Theme' };

/**
 * The caller's profile (issue 10's server, docs/chat.md "Profiles"): display name and bio
 * (`PATCH /api/users/me`), avatar (`POST /api/users/me/avatar`, silver tier and up: a lower tier
 * sees the server's CUSTOM_AVATAR_NOT_ALLOWED in words; `DELETE` removes it) and the cosmetics
 * owned from the shop, equipped per slot (`PATCH /api/users/me/cosmetics`).
 */
export function ProfileSection() {
  const c = useClient();
  const [me, setMe] = useState<MyProfile | null>(null);
  const [owned, setOwned] = useState<CosmeticView[]>([]);
  const [itemNames, setItemNames] = useState<Map<string, string>>(new Map());
  const [displayName, setDisplayName] = useState('');
  const [bio, setBio] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const profile = useAction();
  const avatar = useAction();
  const equip = useAction();

  const load = useCallback(() => {
    Promise.all([
      c.http.get<{ user: MyProfile }>('/api/users/me'),
      c.http.get<{ user: { cosmetics: CosmeticView[] } }>(`/api/users/${encodeURIComponent(c.me.id)}`),
      c.http.get<{ items: ShopItemView[] }>('/api/shop/items'),
    ]).then(([mine, pub, shop]) => {
      setMe(mine.user);
      setDisplayName(mine.user.displayName ?? '');
      setBio(mine.user.bio);
      setOwned(pub.user.cosmetics);
      setItemNames(new Map(shop.items.map((i) => [i.id, i.name])));
    }, c.fail);
  }, [c.http, c.fail, c.me.id]);
  useEffect(load, [load]);

  const saveProfile = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaved(null);
    const parsed = updateProfileBody.safeParse({ displayName: displayName.trim() === '' ? null : displayName, bio });
    if (!parsed.success) return profile.setError({ code: 'VALIDATION_FAILED', message: `Profile: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    if (await profile.run(() => c.http.patch('/api/users/me', parsed.data))) {
      setSaved('Profile saved.');
      load();
    }
  };
  const upload = async (file: File): Promise<void> => {
    setSaved(null);
    const form = new FormData();
    form.append('file', file);
    setProgress(0);
    const r = await avatar.run(() => c.http.upload<{ avatarUrl: string }>('/api/users/me/avatar', form, setProgress));
    setProgress(null);
    if (r) {
      setSaved('Avatar updated.');
      load();
    }
  };
  const removeAvatar = async (): Promise<void> => {
    if (await avatar.run(() => c.http.del('/api/users/me/avatar'))) load();
  };
  const setSlot = async (slot: CosmeticSlot, itemId: string | null): Promise<void> => {
    if (await equip.run(() => c.http.patch('/api/users/me/cosmetics', { [slot]: itemId }))) load();
  };

  if (!me) return <p className="muted">Loading your profile…</p>;
  const slots = [...new Set(owned.map((o) => o.slot))];
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <div className="row">
        <Avatar user={me} size="large" />
        <div className="stack">
          <label className="file-label">
            Upload avatar
            <input type="file" accept="image/png,image/jpeg,image/webp,image/gif" disabled={progress !== null} onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          </label>
          {progress !== null && <progress max={1} value={progress} aria-label="Avatar upload" />}
          {me.avatarUrl && (
            <button type="button" onClick={() => void removeAvatar()} disabled={avatar.busy}>
              Remove avatar
            </button>
          )}
          <p className="muted small">Custom avatars come with the silver tier.</p>
          <ErrorLine error={avatar.error} />
        </div>
      </div>
      <form onSubmit={(e) => void saveProfile(e)} className="stack">
        <label>
          Display name
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={50} placeholder={me.username} />
        </label>
        <label>
          Bio
          <textarea value={bio} onChange={(e) => setBio(e.target.value)} maxLength={500} rows={3} />
        </label>
        <ErrorLine error={profile.error} />
        {saved && <p role="status">{saved}</p>}
        <button type="submit" className="primary" disabled={profile.busy}>
          Save profile
        </button>
      </form>
      <h3>Cosmetics</h3>
      {slots.length === 0 && <p className="muted small">You own no cosmetics yet: the Shop sells them.</p>}
      {slots.map((slot) => (
        <label key={slot}>
          {SLOT_NAMES[slot]}
          <select value={me.equipped?.[slot] ?? ''} disabled={equip.busy} onChange={(e) => void setSlot(slot, e.target.value || null)}>
            <option value="">None</option>
            {owned
              .filter((o) => o.slot === slot)
              .map((o) => (
                <option key={o.itemId} value={o.itemId}>
                  {itemNames.get(o.itemId) ?? o.itemId}
                </option>
              ))}
          </select>
        </label>
      ))}
      <ErrorLine error={equip.error} />
    </section>
  );
}
