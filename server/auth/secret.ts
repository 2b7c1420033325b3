import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded default needs a JWT secret without configuration, and tokens must survive a
 * restart, so one is generated once and kept (mode 0600) in the data directory. Production sets
 * JWT_SECRET; a secret never lives in the code.
 */
export function resolveJwtSecret(configured: string | undefined, dataDir: string): { secret: string; source: 'env' | 'file' | 'generated' } {
  if (configured) return { secret: configured, source: 'env' };
  const path = join(dataDir, 'jwt-secret');
  if (existsSync(path)) return { secret: readFileSync(path, 'utf8').trim(), source: 'file' };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, source: 'generated' };
}
