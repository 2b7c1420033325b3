import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests start real servers on real ports; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
    reporters: ['default'],
  },
});
