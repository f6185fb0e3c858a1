import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The CLI tests run the built bundle: build it when it is missing or stale.
    globalSetup: ['test/build-cli.ts'],
    // Subprocesses (the CLI) and kube-sim pods take seconds on a busy machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
