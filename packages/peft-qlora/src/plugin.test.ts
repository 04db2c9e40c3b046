import { readFileSync } from 'node:fs';
import {
  CORE_VERSION,
  corePlugins,
  createContainer,
  isHostOptimizer,
  resolveOptimizer,
} from '@tunekit/core';
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

  it.each(['adamw_8bit', 'paged_adamw_8bit', 'paged_adamw_32bit'])(
    "registers %s, found by transformers' optim name",
    (name) => {
      const container = createContainer([...corePlugins, plugin]);
      const optimizer = resolveOptimizer(container, name, { betas: [0.9, 0.999], eps: 1e-8 });
      expect(optimizer.id).toBe(name);
      expect(isHostOptimizer(optimizer)).toBe(true);
    },
  );
});
