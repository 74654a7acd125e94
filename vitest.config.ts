import { defineConfig } from 'vitest/config';

// Two cores: two test files at a time. Each file gets its own database copy.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: true,
  },
});
