import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The RBAC test grades every lab against kube-sim with real redis-server pods.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
