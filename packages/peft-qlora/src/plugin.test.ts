import { readFileSync } from 'node:fs';
import { CORE_VERSION, createContainer } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { plugin } from './plugin.js';

describe('the plugin', () => {
  it("loads into a container with this core, its coreRange the package's peer range", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.peerDependencies['@tunekit/core']).toBe(`workspace:${plugin.coreRange}`);
    expect(plugin.name).toBe(pkg.name);
    expect(() => createContainer([plugin])).not.toThrow();
    expect(CORE_VERSION).toMatch(/^0\./);
  });
});
