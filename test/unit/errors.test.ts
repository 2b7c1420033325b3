import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../shared/errors.js';
import { AppError } from '../../server/lib/app-error.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CATALOGUE_FILE = join(ROOT, 'shared', 'errors.ts');
/** Where a code can be produced or switched on; web/ may not exist on every branch. */
const USING_DIRS = ['server', 'shared', 'web'];

/** Every .ts/.tsx source under `dir` (node_modules and build output left out). */
function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

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

  it('uses every catalogued code somewhere in server/, shared/ or web/ (quoted, outside the catalogue)', () => {
    const sources = USING_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => file !== CATALOGUE_FILE)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = Object.keys(ERROR_CATALOGUE).filter((code) => !sources.includes(`'${code}'`) && !sources.includes(`"${code}"`) && !sources.includes(`\`${code}\``));
    expect(unused, 'codes nothing can return: use them or remove them (and their docs/errors.md rows)').toEqual([]);
  });

  it('AppError carries the catalogued status and body', () => {
    const err = new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: 30 });
    expect(err.status).toBe(423);
    expect(err.toBody()).toEqual({ code: 'PIN_LOCKED', message: ERROR_CATALOGUE.PIN_LOCKED.message, details: { retryAfterSeconds: 30 } });
  });
});
