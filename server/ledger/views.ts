import { userAccount, type AccountState, type EntryKind, type JournalEntry } from './ports.js';
import { isUserAccount, userIdOf } from './rules.js';

/** One line of a user's token history, from that user's side of the entry. */
export interface HistoryItem {
  id: string;
  kind: EntryKind;
  /** Signed: positive when tokens came in, negative when they went out. */
  amount: number;
  /** The other user of a gift (sender for the recipient, recipient for the sender), else null. */
  counterpartId: string | null;
  activity: string | null;
  roomId: string | null;
  message: string | null;
  actorId: string | null;
  createdAt: string;
}

/** The history view of `entry` for `userId`. */
export function historyItem(entry: JournalEntry, userId: string): HistoryItem {
  const own = userAccount(userId);
  const amount = entry.legs.find((l) => l.account === own)?.amount ?? 0;
  const other = entry.legs.find((l) => l.account !== own && isUserAccount(l.account));
  return {
    id: entry.id,
    kind: entry.kind,
    amount,
    counterpartId: other && isUserAccount(other.account) ? userIdOf(other.account) : null,
    activity: entry.activity,
    roomId: entry.roomId,
    message: entry.message,
    actorId: entry.actorId,
    createdAt: entry.createdAt.toISOString(),
  };
}

/** The balance view: balance plus the lifetime counters. */
export function balanceView(userId: string, state: AccountState): { userId: string } & AccountState {
  return { userId, ...state };
}
