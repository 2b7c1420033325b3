import { createContext, useContext } from 'react';
import type { Http } from '../api/http.js';
import type { ChatSocket } from '../api/socket.js';
import type { AwardOutcome, EconomyConfig, ErrorBody, TierName } from '../api/types.js';

/** The signed-in user as the app knows them (from `GET /api/users/me`). */
export interface Me {
  id: string;
  username: string;
  role: 'user' | 'admin';
  badge?: string;
  tier?: TierName;
}

/** Balance, tier and progress, kept live by `tokens:balance` / `tier:changed`. */
export interface Wallet {
  balance: number | null;
  tier: TierName | null;
  badge: string | null;
  next: TierName | null;
  nextThreshold: number | null;
  /** 0..1 towards the next tier (null at the top). */
  progress: number | null;
  remaining: number | null;
}

export type Toast =
  | { kind: 'award'; award: AwardOutcome }
  | { kind: 'info'; text: string }
  | { kind: 'error'; error: ErrorBody };

/** Everything a signed-in screen needs, from one provider (state/app-shell.tsx). */
export interface Client {
  me: Me;
  http: Http;
  socket: ChatSocket;
  wallet: Wallet;
  /** Re-reads balance and tier (after an action whose ack carries no balance). */
  refreshWallet(): void;
  config: EconomyConfig | null;
  toast(t: Toast): void;
  /** Shows a failed background read (pins, members, config…) as an error notice: never swallowed. */
  fail(err: unknown): void;
  /** Shows an award outcome as "+N reason" (or why it paid nothing). Null/undefined: nothing. */
  award(a: AwardOutcome | null | undefined): void;
  reduceMotion: { reduce: boolean; choice: 'system' | 'on' | 'off'; setChoice(c: 'system' | 'on' | 'off'): void };
  /** Ends the session on the server (`POST /api/auth/logout`), then here. */
  logout(): Promise<void>;
  /** `POST /api/auth/password`: every other session ends; this tab continues with the new token. */
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  navigate(path: string): void;
}

export const ClientContext = createContext<Client | null>(null);

export function useClient(): Client {
  const c = useContext(ClientContext);
  if (!c) throw new Error('useClient outside the signed-in shell');
  return c;
}
