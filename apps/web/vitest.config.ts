import { defineConfig } from 'vitest/config';

// Unit tests for the app's pure helpers; the pages themselves are tested in a browser (e2e/).
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
