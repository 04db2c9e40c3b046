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
    // One child process (not a worker thread: the shell samples' test changes its working
    // directory) for all files, so the workspace's modules are loaded once, not once per file.
    pool: 'forks',
    isolate: false,
    testTimeout: 120_000,
  },
});
