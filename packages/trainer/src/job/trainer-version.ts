import { readFileSync } from 'node:fs';

/**
 * This package's version, for the training record's `tunekit_version`; read from its package.json
 * (two levels above both src/job/ and dist/job/).
 */
export function trainerVersion(): string {
  const manifest: { version?: unknown } = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  if (typeof manifest.version === 'string') return manifest.version;
  throw new Error('@tunekit/trainer package.json has no version');
}
