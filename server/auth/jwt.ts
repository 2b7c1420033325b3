import { createSecretKey, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../lib/app-error.js';
import type { UserRole } from '../stores/ports.js';

/** What a verified token says about its bearer. */
export interface AuthClaims {
  userId: string;
  username: string;
  role: UserRole;
  /** The session: the token's id, revoked by a logout (set on every token this server signs). */
  jti?: string;
  /** The user's session epoch when the token was signed; a password change starts a new one (0 when absent). */
  epoch?: number;
  /** When the token expires, in ms since the epoch (a socket is ended then). */
  expiresAtMs?: number;
}

/**
 * HS256 only, on both sides: pinning the algorithm on verify is what stops `alg: none` and
 * key-confusion tokens. Every token expires.
 */
const ALGORITHM = 'HS256' as const;

export interface TokenService {
  /** Signs a new session token (a fresh jti; `epoch` from the claims, 0 when absent). */
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
      const epoch = claims.epoch ?? 0;
      return jwt.sign({ sub: claims.userId, name: claims.username, role: claims.role, iat, ...(epoch > 0 ? { ep: epoch } : {}) }, key, {
        algorithm: ALGORITHM,
        expiresIn: ttlSeconds,
        jwtid: randomBytes(12).toString('base64url'),
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
        const ep = payload['ep'];
        if (ep !== undefined && (typeof ep !== 'number' || !Number.isSafeInteger(ep) || ep < 0)) throw new AppError('TOKEN_INVALID');
        return {
          userId: payload.sub,
          username: name,
          role,
          ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
          epoch: ep ?? 0,
          ...(typeof payload.exp === 'number' ? { expiresAtMs: payload.exp * 1000 } : {}),
        };
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED');
        throw new AppError('TOKEN_INVALID');
      }
    },
  };
}
