import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORE_VERSION } from './core-version.js';

describe('CORE_VERSION', () => {
  it('matches the version in packages/core/package.json', () => {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    expect(pkg).toMatchObject({ name: '@tunekit/core', version: CORE_VERSION });
  });
});
