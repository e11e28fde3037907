import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Separate processes: the Temporal native bridge and the workflow bundler do not share threads well.
    pool: 'forks',
    maxWorkers: 2,
    include: ['domain/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/quiet-sdk-logs.ts'],
    // Workflow tests bundle code (1–2 s) and start servers; none of these is a performance bound.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
