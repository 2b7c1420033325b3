import { describe, expect, it } from 'vitest';
import { newId } from '../../server/lib/ids.js';

/** server/lib/ids.ts: ULIDs whose random part comes from a pooled CSPRNG buffer (issue 16). */
describe('newId', () => {
  it('makes ULIDs in strictly increasing order, with random parts that differ from one millisecond to the next', () => {
    // The first id of each millisecond draws a fresh 16-character random part (16 bytes of the
    // pool): 300 milliseconds use more than one 4 KiB pool, so a refill is crossed.
    const firstOfEachMs = new Map<string, string>();
    let previous = '';
    while (firstOfEachMs.size < 300) {
      const id = newId();
      expect(id > previous).toBe(true);
      previous = id;
      if (!firstOfEachMs.has(id.slice(0, 10))) {
        expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        firstOfEachMs.set(id.slice(0, 10), id.slice(10));
      }
    }
    const fresh = [...firstOfEachMs.values()];
    // A stuck or short-cycling source would repeat a random part or leave symbols unused.
    expect(new Set(fresh).size).toBe(fresh.length);
    expect(new Set(fresh.join('')).size).toBe(32);
  });
});
