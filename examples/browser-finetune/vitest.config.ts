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
    name: 'example-browser-finetune',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
  },
});
