// The `@tunekit/core/testing` entry: suites and fixtures that backend and plugin packages run.
export * from './testing/index.js';
