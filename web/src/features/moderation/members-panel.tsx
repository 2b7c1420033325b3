import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { listen } from '../../api/socket.js';
import type { AwardOutcome, MemberView, RewardView } from '../../api/types.js';
import { useClient } from '../../state/client.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';
import { RewardDialog } from './reward-dialog.js';
import { PersonLabel, PersonSearch, personName } from '../people/person.js';

/**
 * Members with their roles and whether they are online (from the list, then live `presence`). Owners and moderators also get the moderation controls the server
 * allows them (promote/demote is the owner's; kick and ban of a moderator too), invites (by finding
 * the person: `GET /api/users?search=`), unban and
 * the room reward dialog. The server decides in the end: a refusal is shown in words.
 */
export function MembersPanel(props: { roomId: string; myRole: MemberView['role']; version: number; onMembers(m: MemberView[]): void; direct?: boolean }) {
  const c = useClient();
  const [members, setMembers] = useState<MemberView[]>([]);
  const [rewardFor, setRewardFor] = useState<MemberView | null>(null);
  const [unbanId, setUnbanId] = useState('');
  const action = useAction();
  const base = `/api/rooms/${encodeURIComponent(props.roomId)}`;
  const { onMembers } = props;

  const load = useCallback(() => {
    c.http.get<{ members: MemberView[] }>(`${base}/members`).then(
      (r) => {
        setMembers(r.members);
        onMembers(r.members);
      },
      c.fail,
    );
  }, [c.http, c.fail, base, onMembers]);
  useEffect(load, [load, props.version]);
  useEffect(
    () =>
      listen(c.socket, {
        presence: (e: { userId: string; online: boolean }) => setMembers((ms) => ms.map((m) => (m.user.id === e.userId ? { ...m, online: e.online } : m))),
      }),
    [c.socket],
  );

  const moderator = props.myRole === 'owner' || props.myRole === 'moderator';
  const owner = props.myRole === 'owner';
  const act = async (fn: () => Promise<unknown>, done: string): Promise<void> => {
    const ok = await action.run(async () => {
      await fn();
      return true;
    });
    if (ok) {
      c.toast({ kind: 'info', text: done });
      load();
    }
  };
  const unban = (e: FormEvent): void => {
    e.preventDefault();
    void act(() => c.http.del(`${base}/bans/${encodeURIComponent(unbanId.trim())}`), 'Ban lifted').then(() => setUnbanId(''));
  };

  return (
    <aside className="members" aria-label="Members">
      <h2>Members ({members.length})</h2>
      <ErrorLine error={action.error} />
      <ul>
        {members.map((m) => {
          const self = m.user.id === c.me.id;
          const name = m.user.username;
          return (
            <li key={m.user.id}>
              <div className="member-line">
                <span>
                  <span className={`presence-dot${m.online ? ' on' : ''}`} role="img" aria-label={m.online ? 'online' : 'offline'} data-testid="presence" />
                  <PersonLabel user={m.user} />
                  {self && ' (you)'}
                </span>
                <span className="pill small">{m.role}</span>
              </div>
              {moderator && !self && m.role !== 'owner' && (
                <div className="member-actions">
                  <button type="button" onClick={() => setRewardFor(m)} aria-label={`Reward ${name}`}>
                    Reward
                  </button>
                  {owner && m.role === 'member' && (
                    <button type="button" aria-label={`Promote ${name}`} onClick={() => void act(async () => c.award((await c.http.post<{ award: AwardOutcome | null }>(`${base}/moderators`, { userId: m.user.id })).award), `${name} is now a moderator`)}>
                      Promote
                    </button>
                  )}
                  {owner && m.role === 'moderator' && (
                    <button type="button" aria-label={`Demote ${name}`} onClick={() => void act(() => c.http.del(`${base}/moderators/${m.user.id}`), `${name} is a member again`)}>
                      Demote
                    </button>
                  )}
                  <button type="button" aria-label={`Kick ${name}`} onClick={() => void act(() => c.http.post(`${base}/kick`, { userId: m.user.id }), `${name} was removed`)}>
                    Kick
                  </button>
                  <button type="button" aria-label={`Ban ${name}`} onClick={() => void act(() => c.http.post(`${base}/bans`, { userId: m.user.id }), `${name} was banned`)}>
                    Ban
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {/* A direct room is the pair's alone: nobody can be invited to it (DIRECT_ROOM_FIXED). */}
      {!props.direct && (
        <details className="small-form">
          <summary>Invite someone</summary>
          <PersonSearch
            label="Find a person to invite"
            actionText="Invite"
            busy={action.busy}
            exclude={new Set(members.map((m) => m.user.id))}
            onPick={(u) => void act(() => c.http.post(`${base}/invites`, { userId: u.id }), `Invitation sent to ${personName(u)}`)}
          />
        </details>
      )}
      {moderator && (
        <form onSubmit={unban} className="stack small-form">
          <label>
            Unban user id
            <input value={unbanId} onChange={(e) => setUnbanId(e.target.value)} />
          </label>
          <button type="submit" disabled={!unbanId.trim() || action.busy}>
            Unban
          </button>
        </form>
      )}
      {moderator && <RecentRewards roomId={props.roomId} version={props.version} />}
      {rewardFor && <RewardDialog roomId={props.roomId} member={rewardFor} onClose={() => setRewardFor(null)} />}
    </aside>
  );
}

function RecentRewards({ roomId, version }: { roomId: string; version: number }) {
  const c = useClient();
  const [items, setItems] = useState<RewardView[]>([]);
  useEffect(() => {
    const load = (): void => {
      c.http.get<{ items: RewardView[] }>(`/api/rooms/${encodeURIComponent(roomId)}/rewards?limit=5`).then((r) => setItems(r.items), c.fail);
    };
    load();
    const on = (e: { roomId: string }): void => {
      if (e.roomId === roomId) load();
    };
    c.socket.on('room:rewarded', on);
    return () => {
      c.socket.off('room:rewarded', on);
    };
  }, [c.http, c.socket, c.fail, roomId, version]);
  if (items.length === 0) return null;
  return (
    <section aria-label="Recent rewards">
      <h3>Recent rewards</h3>
      <ul className="small">
        {items.map((r) => (
          <li key={r.grantId}>
            {r.by.username} → {r.to.username}: {r.amount} ({r.reason})
          </li>
        ))}
      </ul>
    </section>
  );
}
