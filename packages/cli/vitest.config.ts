import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Sibling workspace packages resolve to their src/ through the `@tunekit/source` export
// condition, so tests never need a build. Tests in the node environment resolve through
// Vite's server (ssr) environment, whose condition list replaces Vite's defaults; the
// defaults are repeated after ours.
const conditions = ['@tunekit/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: [...conditions, 'module', 'node', 'development|production'] } },
  test: {
    environment: 'node',
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // the tests start the CLI as installed (dist/), which the set-up builds first
          globalSetup: ['test/e2e/build-dist.ts'],
        },
      },
    ],
    // an end-to-end test's tunekit runs share the cores with another file's and, under nx, with
    // other packages' tests
    testTimeout: 180_000,
    // A test file mostly waits for the `tunekit` processes it starts (about one core each), so
    // vitest's default of one worker fewer than the cores (one on a 2-core CI machine) would leave
    // a core idle once the other projects' tests are done: one file per core instead.
    maxWorkers: Math.max(2, availableParallelism()),
    // independent `tunekit` runs in a file's concurrent tests: two at a time
    maxConcurrency: 2,
  },
});
