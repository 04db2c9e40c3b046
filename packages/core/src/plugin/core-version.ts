/**
 * This package's version, checked against each plugin's `coreRange`. A constant rather than a JSON
 * import so it works in browsers and under `rootDir: src`. `pnpm version-packages` writes it after
 * `changeset version` (scripts/write-core-version.ts); `core-version.test.ts` fails if it drifts.
 */
export const CORE_VERSION = '0.1.0';
