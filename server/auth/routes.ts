import type { Router } from 'express';
import { loginBody, registerBody } from '../../shared/schemas.js';
import { parseOrThrow } from '../http/validate.js';
import type { AccountService } from './accounts.js';

/** `POST /api/auth/register` and `POST /api/auth/login`. */
export function authRoutes(api: Router, accounts: AccountService): void {
  api.post('/auth/register', async (req, res) => {
    const body = parseOrThrow(registerBody, req.body);
    res.status(201).json(await accounts.register(body, req.ip ?? null));
  });
  api.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(loginBody, req.body);
    res.json(await accounts.login(body, req.ip ?? 'unknown'));
  });
}
