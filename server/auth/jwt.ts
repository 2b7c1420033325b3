import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../lib/app-error.js';
import type { UserRole } from '../stores/ports.js';

/** What a verified token says about its bearer. */
export interface AuthClaims {
  userId: string;
  username: string;
  role: UserRole;
}

/**
 * HS256 only, on both sides: pinning the algorithm on verify is what stops `alg: none` and
 * key-confusion tokens. Every token expires.
 */
const ALGORITHM = 'HS256' as const;

export interface TokenService {
  sign(claims: AuthClaims): string;
  /** Throws AppError TOKEN_EXPIRED or TOKEN_INVALID. */
  verify(token: string): AuthClaims;
}

export function createTokenService(secret: string, ttlSeconds: number, now: () => Date): TokenService {
  // A KeyObject built once: given a string, jsonwebtoken first tries to parse it as a PEM key
  // (createPublicKey / createPrivateKey) and only falls back to a secret key after that throws,
  // on every sign and verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    sign(claims) {
      const iat = Math.floor(now().getTime() / 1000);
      return jwt.sign({ sub: claims.userId, name: claims.username, role: claims.role, iat }, key, {
        algorithm: ALGORITHM,
        expiresIn: ttlSeconds,
      });
    },
    verify(token) {
      try {
        const payload = jwt.verify(token, key, {
          algorithms: [ALGORITHM],
          clockTimestamp: Math.floor(now().getTime() / 1000),
        });
        if (typeof payload !== 'object' || typeof payload.sub !== 'string') throw new AppError('TOKEN_INVALID');
        const role = payload['role'];
        const name = payload['name'];
        if ((role !== 'user' && role !== 'admin') || typeof name !== 'string') throw new AppError('TOKEN_INVALID');
        return { userId: payload.sub, username: name, role };
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED');
        throw new AppError('TOKEN_INVALID');
      }
    },
  };
}
