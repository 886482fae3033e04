import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Throwaway Ceph and PostgreSQL for the district tests, started once per run.
    globalSetup: ['test/global-setup.ts'],
  },
});
