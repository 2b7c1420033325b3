import type { Router } from 'express';
import { changePasswordBody, loginBody, registerBody } from '../../shared/schemas.js';
import type { Authenticate } from './authenticate.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AccountService } from './accounts.js';
import type { AwardService } from '../earning/award-service.js';
import { awardAfter, earnKeys } from '../earning/inline.js';
import type { Logger } from '../lib/logger.js';

/** `POST /api/auth/register`, `/login`, `/logout` and `/password`. */
export function authRoutes(api: Router, accounts: AccountService, earning: { awards: AwardService; logger: Logger; authenticate: Authenticate }): void {
  api.post('/auth/register', async (req, res) => {
    const body = parseOrThrow(registerBody, req.body);
    const session = await accounts.register(body, req.ip ?? null);
    const userId = session.user.id;
    const award = await awardAfter(earning.awards, earning.logger, { userId, activity: 'registration', idempotencyKey: earnKeys.registration(userId), newEvent: true });
    res.status(201).json({ ...session, award });
  });
  api.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(loginBody, req.body);
    res.json(await accounts.login(body, req.ip ?? 'unknown'));
  });
  const auth = requireAuth(earning.authenticate);
  api.post('/auth/logout', auth, async (req, res) => {
    await accounts.logout(authOf(req));
    res.json({ loggedOut: true });
  });
  // Rate-limited per user (PASSWORD_CHANGES_PER_USER_PER_HOUR) by server/http/rate-limit.ts.
  api.post('/auth/password', auth, async (req, res) => {
    const body = parseOrThrow(changePasswordBody, req.body);
    res.json(await accounts.changePassword(authOf(req), body));
  });
}
