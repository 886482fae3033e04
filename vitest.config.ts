import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Most tests wait on child processes (ffmpeg, Chromium, the CLI, Ceph, PostgreSQL), so two files
    // at once keep a 2-core machine busy; vitest's default there would be one.
    maxWorkers: 2,
    // Throwaway Ceph and PostgreSQL for the district tests, started once per run.
    globalSetup: ['test/global-setup.ts'],
  },
});
