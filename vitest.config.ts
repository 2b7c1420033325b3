import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The second builds the web client once per run for test/browser (only when it is out of date).
    globalSetup: ['test/support/global-setup.ts', 'test/browser/build-web.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests start real servers on real ports; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
    reporters: ['default'],
  },
});
