import { defineConfig } from 'vitest/config';

// Sibling workspace packages resolve to their src/ through the `@tunekit/source` export
// condition, so the samples run without a build (the defaults are repeated after ours).
const conditions = ['@tunekit/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: [...conditions, 'module', 'node', 'development|production'] } },
  test: {
    name: 'docs',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // child processes, not worker threads: the shell samples' test changes its working directory
    pool: 'forks',
    testTimeout: 120_000,
  },
});
