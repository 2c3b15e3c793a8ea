import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    globalSetup: ['./test/global-setup.ts'],
    // Browser and multi-process tests share 2 cores with everything else the suite runs.
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Tests that spawn server processes must not starve each other on a 2-core machine.
    maxWorkers: 2,
  },
})
