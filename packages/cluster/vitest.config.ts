import { defineConfig } from 'vitest/config';

// The real-cluster lane: one cluster (test/global-setup.ts) shared by every file, files one at a
// time (they share one node). test/lifecycle.test.ts starts and stops its own cluster through the
// CLI, so it runs in a vitest run of its own (vitest.lifecycle.config.ts) before this one.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/lifecycle.test.ts', 'test/images.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
