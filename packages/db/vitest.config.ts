import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Real PostgreSQL and PGlite (WASM) start-ups are slow on a shared, loaded 2-core machine: a
    // PGlite initdb alone has taken 45 s here. Generous limits; speed is measured in bench/.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    maxWorkers: 2,
  },
});
