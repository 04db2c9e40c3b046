/**
 * This package's version, checked against each plugin's `coreRange`. A constant rather than a JSON
 * import so it works in browsers and under `rootDir: src`; `core-version.test.ts` fails when it
 * drifts from package.json (after `changeset version`, copy the new version here).
 */
export const CORE_VERSION = '0.1.0';
