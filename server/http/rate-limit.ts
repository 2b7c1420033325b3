import type { Request, RequestHandler } from 'express';
import type { TokenService } from '../auth/jwt.js';
import type { RateLimitName, RateLimits } from '../limits/rate-limits.js';

/** Which HTTP requests are rate-limited, and whose allowance they draw on. */
interface HttpLimit {
  method: string;
  path: string;
  name: RateLimitName;
  /** The client address, or the bearer token's user (a request without a valid token is left to the route's 401). */
  by: 'address' | 'user';
}

const HTTP_LIMITS: readonly HttpLimit[] = [
  { method: 'POST', path: '/auth/register', name: 'registration', by: 'address' },
  { method: 'POST', path: '/files', name: 'upload', by: 'user' },
  { method: 'POST', path: '/tokens/gift', name: 'gift', by: 'user' },
  { method: 'POST', path: '/auth/password', name: 'passwordChange', by: 'user' },
];

/**
 * The HTTP side of the rate limits, mounted on `/api` before the routes: one lookup per request,
 * and for a limited route one limiter call, before any body is read from disk or any store is
 * asked. Logins are limited by the auth feature itself, which alone knows whether one failed.
 */
export function httpRateLimits(limits: RateLimits, tokens: TokenService): RequestHandler {
  const keyOf = (req: Request, by: HttpLimit['by']): string | null => {
    if (by === 'address') return req.ip ?? 'unknown';
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return null;
    try {
      return tokens.verify(header.slice('Bearer '.length).trim()).userId;
    } catch {
      return null;
    }
  };
  return async (req, _res, next) => {
    const limit = HTTP_LIMITS.find((l) => l.method === req.method && l.path === req.path);
    if (!limit) return next();
    const key = keyOf(req, limit.by);
    if (key === null) return next();
    await limits.consume(limit.name, key);
    next();
  };
}
