import { defineConfig } from 'vitest/config';

// `npm run cluster -- up` / `down` from another shell, and the host exactly as it was afterwards.
export default defineConfig({
  test: {
    include: ['test/lifecycle.test.ts', 'test/images.test.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
