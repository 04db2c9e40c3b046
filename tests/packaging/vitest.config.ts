import { defineConfig } from 'vitest/config';

// The test builds, packs and installs the packages; npm fetches their third-party dependencies.
export default defineConfig({
  test: {
    name: 'packaging-tests',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // one file at a time: each builds the packages' dist/ (and the publish test runs a registry)
    fileParallelism: false,
    testTimeout: 180_000,
    // building and packing every package (more of them each session) is the slow part; on a loaded
    // machine it has taken over 5 minutes
    hookTimeout: 900_000,
  },
});
