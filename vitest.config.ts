import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Daemon and system tests start real processes; two cores, so keep files in parallel modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
