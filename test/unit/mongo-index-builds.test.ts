import { describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';

/**
 * The index-build registry (issue 15): a failed build is retried by the next call instead of
 * cached, a build in progress is joined, `ensureAll` (what /readyz runs) names the failed ones,
 * and each opened backend has its own registry, passed to its stores rather than kept in module state.
 */
describe('index builds', () => {
  it('retries a failed build, joins a running one, and builds once after a success', async () => {
    const builds = createIndexBuilds();
    let calls = 0;
    let fail = true;
    const ensure = builds.register('users', async () => {
      calls += 1;
      if (fail) throw new Error('index build interrupted');
    });
    await expect(ensure()).rejects.toThrow('index build interrupted');
    await expect(builds.ensureAll()).rejects.toThrow('MongoDB index builds not done: users');
    expect(calls).toBe(2);
    fail = false;
    await Promise.all([ensure(), ensure(), builds.ensureAll()]);
    expect(calls).toBe(3);
    await ensure();
    await builds.ensureAll();
    expect(calls).toBe(3);
  });

  it('names every failed build and keeps the first cause', async () => {
    const builds = createIndexBuilds();
    builds.register('ok', async () => undefined);
    builds.register('ledger', async () => Promise.reject(new Error('first')));
    builds.register('rooms', async () => Promise.reject(new Error('second')));
    const err = await builds.ensureAll().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe('MongoDB index builds not done: ledger, rooms');
    expect((err?.cause as Error).message).toBe('first');
  });

  it('keeps registries apart: a build registered on one is not run by another (one per opened backend)', async () => {
    const one = createIndexBuilds();
    const two = createIndexBuilds();
    one.register('ledger', async () => Promise.reject(new Error('down')));
    await expect(one.ensureAll()).rejects.toThrow(/ledger/);
    await expect(two.ensureAll()).resolves.toBeUndefined();
  });
});
