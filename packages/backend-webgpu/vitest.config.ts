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
    name: 'backend-webgpu',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // installs the software adapter (SwiftShader from Debian's chromium) where it is missing
    globalSetup: ['test/software-adapter.ts'],
    // the 20-step loss curve takes about 60 s on 2 idle cores; a loaded CI machine takes several times that
    testTimeout: 360_000,
    // one device at a time: a software adapter is CPU-bound
    fileParallelism: false,
  },
});
