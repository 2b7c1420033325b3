import type { Request, RequestHandler } from 'express';
import { AppError } from '../lib/app-error.js';
import type { AuthClaims } from '../auth/jwt.js';
import type { Authenticate } from '../auth/authenticate.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `requireAuth`. */
    auth?: AuthClaims;
  }
}

/** Requires `Authorization: Bearer <jwt>`; sets `req.auth`. */
export function requireAuth(authenticate: Authenticate): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return next(new AppError('UNAUTHENTICATED'));
    req.auth = await authenticate(header.slice('Bearer '.length).trim());
    next();
  };
}

/** The authenticated caller; only valid behind `requireAuth`. */
export function authOf(req: Request): AuthClaims {
  if (!req.auth) throw new AppError('UNAUTHENTICATED');
  return req.auth;
}

/** Only the user themself or an admin may read another user's private data. */
export function assertSelfOrAdmin(req: Request, userId: string): AuthClaims {
  const auth = authOf(req);
  if (auth.userId !== userId && auth.role !== 'admin') throw new AppError('FORBIDDEN');
  return auth;
}

export function assertAdmin(req: Request): AuthClaims {
  const auth = authOf(req);
  if (auth.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
  return auth;
}
