import { defineConfig } from 'vitest/config';

// Builds the migrated PGlite template when none is current; harnesses copy it instead of running initdb.
const pgliteTemplate = 'persistence/adapters/testing/pglite-template.global-setup.ts';

// Test tiers (STYLE.md): *.test.ts needs nothing but Node; *.int.test.ts needs a real
// service (PostgreSQL, Redis, MongoDB) and reports itself skipped when that service is absent.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Most unit files wait on PGlite's WASM; two forks keep both cores busy (one fork, the
          // default on a 2-core machine, took 3 min instead of 2).
          maxWorkers: 2,
          // One module graph per worker instead of a fresh process per file: each file imported
          // the gateway, runtime and PGlite again (54 s of imports over the run; 20 s without
          // isolation). No unit test mocks modules or relies on another file's module state.
          isolate: false,
          globalSetup: [pgliteTemplate],
          include: ['{runtime,actors,gateway,persistence,bench,storefront}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'bench/proofs/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          // The slow proofs: SIGKILL crash tests, the seeded marketplace simulation, concurrency
          // proofs over the whole runtime. `npm run test:proofs`; CI runs them after `npm test`.
          name: 'proofs',
          globalSetup: [pgliteTemplate],
          include: ['bench/proofs/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['{runtime,actors,gateway,persistence,bench}/**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Browser tests against one real `npm start` server (started by the global setup, as
          // its demo seed costs ~15 s); files run one at a time, as they share that server.
          name: 'e2e',
          include: ['storefront/e2e/**/*.e2e.test.ts'],
          globalSetup: ['storefront/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
