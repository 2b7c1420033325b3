import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../shared/errors.js';
import { AppError } from '../../server/lib/app-error.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(Object.entries(ERROR_CATALOGUE))('%s has a valid status and is documented with it', (code, entry) => {
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThan(600);
    expect(entry.message.length).toBeGreaterThan(0);
    expect(doc).toContain(`| \`${code}\` | ${entry.status} |`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((c) => !(c! in ERROR_CATALOGUE))).toEqual([]);
  });

  it('AppError carries the catalogued status and body', () => {
    const err = new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: 30 });
    expect(err.status).toBe(423);
    expect(err.toBody()).toEqual({ code: 'PIN_LOCKED', message: ERROR_CATALOGUE.PIN_LOCKED.message, details: { retryAfterSeconds: 30 } });
  });
});
