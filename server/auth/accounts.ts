import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { changePasswordBody, loginBody, registerBody } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { UserRecord, UserStore } from '../stores/ports.js';
import type { AuthClaims, TokenService } from './jwt.js';
import type { SessionRevocations } from './sessions.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { hashSecret, verifySecret } from './passwords.js';
import { PerKeyQueue } from '../lib/per-key-queue.js';

/** What register and login answer: a token and the public part of the account. */
export interface SessionResult {
  token: string;
  user: { id: string; username: string };
}

export interface AccountService {
  /** Creates an account; the first admins come from ADMIN_USERNAMES. */
  register(input: z.output<typeof registerBody>, ip: string | null): Promise<SessionResult>;
  /** Same INVALID_CREDENTIALS for an unknown user and a wrong password. */
  login(input: z.output<typeof loginBody>, ip: string): Promise<SessionResult>;
  /** Ends the caller's session: its token is refused from now on and its sockets are closed, on every node. */
  logout(session: AuthClaims): Promise<void>;
  /**
   * Changes the password (the old one is required: INVALID_CREDENTIALS otherwise) and ends every
   * session of the user signed before, the caller's included; answers a fresh token for the caller.
   */
  changePassword(session: AuthClaims, input: z.output<typeof changePasswordBody>): Promise<SessionResult>;
}

/** Closes the open sockets of `userId` whose session `ended` says is over (server/auth/session-ender.ts). */
export type EndSockets = (userId: string, ended: (auth: AuthClaims) => boolean, reason: 'logout' | 'password_changed') => Promise<number>;

export interface AccountDeps {
  users: UserStore;
  tokens: TokenService;
  clock: Clock;
  newId: IdGenerator;
  /** Login attempts per address and per username (LOGIN_FAILURES_PER_*_MAX). */
  limits: RateLimits;
  /** Lower-cased usernames that become admin when they register. */
  adminUsernames: readonly string[];
  sessions: SessionRevocations;
  endSockets: EndSockets;
}

/** 16 random bytes: unguessable, and short enough to share as a link. */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url');
}

export function createAccountService(deps: AccountDeps): AccountService {
  const { users, tokens, clock, newId, limits } = deps;
  const loginAttempts = new PerKeyQueue();
  // Unknown usernames still cost one scrypt, so response time does not reveal which names exist.
  let dummyHash: Promise<string> | undefined;
  const session = (u: UserRecord, epoch: number): SessionResult => ({
    token: tokens.sign({ userId: u.id, username: u.username, role: u.role, epoch }),
    user: { id: u.id, username: u.username },
  });

  return {
    async register(input, ip) {
      let invitedBy: string | null = null;
      if (input.inviteCode !== undefined) {
        const inviter = await users.findByInviteCode(input.inviteCode);
        if (!inviter) throw new AppError('INVITE_CODE_INVALID');
        invitedBy = inviter.id;
      }
      if (await users.findByUsername(input.username)) throw new AppError('USERNAME_TAKEN');
      const created = await users.create({
        id: newId(),
        username: input.username,
        passwordHash: await hashSecret(input.password),
        publicKey: input.publicKey ?? null,
        role: deps.adminUsernames.includes(input.username.toLowerCase()) ? 'admin' : 'user',
        inviteCode: newInviteCode(),
        invitedBy,
        registrationIp: ip,
        createdAt: clock.now(),
      });
      // A concurrent registration of the same name can pass the check above; the store decides.
      if (!created) throw new AppError('USERNAME_TAKEN');
      return session(created, 0);
    },

    // Attempts for one username run one at a time on this node, so a parallel burst of guesses
    // meets the limiter one by one instead of all passing its check before any failure counts.
    login: (input, ip) => loginAttempts.run(input.username.toLowerCase(), () => loginNow(input, ip)),

    async logout(claims) {
      const nowMs = clock.now().getTime();
      if (claims.jti !== undefined && claims.expiresAtMs !== undefined) {
        await deps.sessions.revokeToken(claims.jti, claims.expiresAtMs, nowMs);
        await deps.endSockets(claims.userId, (a) => a.jti === claims.jti, 'logout');
        return;
      }
      // A token from before session ids cannot be named alone: end every session of the user.
      const epoch = await deps.sessions.nextEpoch(claims.userId);
      await deps.endSockets(claims.userId, (a) => (a.epoch ?? 0) < epoch, 'logout');
    },

    async changePassword(claims, input) {
      const user = await users.findById(claims.userId);
      if (!user) throw new AppError('TOKEN_INVALID', 'The account no longer exists');
      if (!(await verifySecret(input.oldPassword, user.passwordHash))) throw new AppError('INVALID_CREDENTIALS', 'The old password is wrong');
      await users.setPasswordHash(user.id, await hashSecret(input.newPassword));
      // After the new hash is stored: a login racing this change gets a token of the new epoch only
      // if it already knew the new password.
      const epoch = await deps.sessions.nextEpoch(user.id);
      await deps.endSockets(user.id, (a) => (a.epoch ?? 0) < epoch, 'password_changed');
      return session(user, epoch);
    },
  };

  async function loginNow(input: z.output<typeof loginBody>, ip: string): Promise<SessionResult> {
    // Every attempt takes a point from its address and its username first, atomically (in Redis
    // across nodes), and a success gives them back: only failures stay counted, and a burst
    // cannot get more guesses through than the limit, on one node or many.
    const username = input.username.toLowerCase();
    await limits.consume('loginFailureAddress', ip);
    try {
      await limits.consume('loginFailureUsername', username);
    } catch (err) {
      await limits.reward('loginFailureAddress', ip);
      throw err;
    }
    const user = await users.findByUsername(input.username);
    const ok = user
      ? await verifySecret(input.password, user.passwordHash)
      : await verifySecret(input.password, await (dummyHash ??= hashSecret(randomBytes(16).toString('hex')))).then(() => false);
    if (!user || !ok) throw new AppError('INVALID_CREDENTIALS');
    await Promise.all([limits.reward('loginFailureAddress', ip), limits.reward('loginFailureUsername', username)]);
    if (user.bannedAt) throw new AppError('FORBIDDEN', 'The account is banned');
    return session(user, await deps.sessions.epochOf(user.id));
  }
}
