import { defineConfig } from 'vitest/config';

// The test builds, packs and installs the packages; npm fetches their third-party dependencies.
export default defineConfig({
  test: {
    name: 'packaging-tests',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
