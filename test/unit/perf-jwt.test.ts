import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../server/auth/jwt.js';

const SECRET = 'a-test-secret-of-reasonable-length-0123456789';
const now = () => new Date('2026-11-24T12:00:00Z');

describe('token service with a prebuilt secret KeyObject', () => {
  it('signs tokens that jsonwebtoken verifies with the plain string secret (same HS256 bytes)', () => {
    const tokens = createTokenService(SECRET, 3600, now);
    const token = tokens.sign({ userId: 'u1', username: 'ann', role: 'user' });
    const payload = jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: Math.floor(now().getTime() / 1000) });
    expect(payload).toMatchObject({ sub: 'u1', name: 'ann', role: 'user' });
  });

  it('verifies tokens signed with the plain string secret (tokens issued before the change)', () => {
    const iat = Math.floor(now().getTime() / 1000);
    const token = jwt.sign({ sub: 'u2', name: 'bob', role: 'admin', iat }, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    expect(createTokenService(SECRET, 3600, now).verify(token)).toEqual({ userId: 'u2', username: 'bob', role: 'admin', epoch: 0, expiresAtMs: (iat + 60) * 1000 });
  });

  it('still refuses another secret, alg none and expired tokens', () => {
    const tokens = createTokenService(SECRET, 3600, now);
    const iat = Math.floor(now().getTime() / 1000);
    const other = jwt.sign({ sub: 'u3', name: 'c', role: 'user', iat }, `${SECRET}x`, { algorithm: 'HS256', expiresIn: 60 });
    expect(() => tokens.verify(other)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    const unsigned = jwt.sign({ sub: 'u3', name: 'c', role: 'user', iat }, null, { algorithm: 'none' });
    expect(() => tokens.verify(unsigned)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    const expired = jwt.sign({ sub: 'u3', name: 'c', role: 'user', iat: iat - 120 }, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    expect(() => tokens.verify(expired)).toThrow(expect.objectContaining({ code: 'TOKEN_EXPIRED' }));
  });
});
