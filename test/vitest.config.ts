import { defineConfig } from 'vitest/config';

// Integration tests share one real influxd (started in global-setup.ts); each test file uses its
// own database, so files can run in parallel on the 2-core machines without interfering.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
