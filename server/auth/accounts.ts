import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { loginBody, registerBody } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { UserRecord, UserStore } from '../stores/ports.js';
import type { TokenService } from './jwt.js';
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
}

export interface AccountDeps {
  users: UserStore;
  tokens: TokenService;
  clock: Clock;
  newId: IdGenerator;
  /** Login attempts per address and per username (LOGIN_FAILURES_PER_*_MAX). */
  limits: RateLimits;
  /** Lower-cased usernames that become admin when they register. */
  adminUsernames: readonly string[];
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
  const session = (u: UserRecord): SessionResult => ({
    token: tokens.sign({ userId: u.id, username: u.username, role: u.role }),
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
      return session(created);
    },

    // Attempts for one username run one at a time on this node, so a parallel burst of guesses
    // meets the limiter one by one instead of all passing its check before any failure counts.
    login: (input, ip) => loginAttempts.run(input.username.toLowerCase(), () => loginNow(input, ip)),
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
    return session(user);
  }
}
