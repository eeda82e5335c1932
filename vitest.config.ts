import { defineConfig } from 'vitest/config';

// Test tiers (STYLE.md): *.test.ts needs nothing but Node; *.int.test.ts needs a real
// service (PostgreSQL, Redis, MongoDB) and reports itself skipped when that service is absent.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{runtime,actors,gateway,persistence,bench}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['{runtime,actors,gateway,persistence,bench}/**/*.int.test.ts'],
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
