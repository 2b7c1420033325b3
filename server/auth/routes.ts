import type { Router } from 'express';
import { loginBody, registerBody } from '../../shared/schemas.js';
import { parseOrThrow } from '../http/validate.js';
import type { AccountService } from './accounts.js';
import type { AwardService } from '../earning/award-service.js';
import { awardAfter, earnKeys } from '../earning/inline.js';
import type { Logger } from '../lib/logger.js';

/** `POST /api/auth/register` and `POST /api/auth/login`. */
export function authRoutes(api: Router, accounts: AccountService, earning: { awards: AwardService; logger: Logger }): void {
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
}
