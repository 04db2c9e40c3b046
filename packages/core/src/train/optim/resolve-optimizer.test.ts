import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/index.js';
import { createContainer } from '../../plugin/container.js';
import { corePlugins } from '../../plugin/core-plugins.js';
import { CORE_VERSION } from '../../plugin/core-version.js';
import type { TunekitPlugin } from '../../plugin/plugin.js';
import { TOKENS } from '../../plugin/tokens.js';
import { adamw } from './adamw.js';
import { isHostOptimizer } from './host-optimizer.js';
import { resolveOptimizer } from './resolve-optimizer.js';

const args = { betas: [0.9, 0.999], eps: 1e-8 } as const;

describe('resolveOptimizer', () => {
  it("finds core's adamw_torch through the container", () => {
    const optimizer = resolveOptimizer(createContainer(corePlugins), 'adamw_torch', args);
    expect(optimizer.id).toBe('adamw');
    expect(isHostOptimizer(optimizer)).toBe(false);
  });

  it('names the package to install for a known optimizer that is not loaded', () => {
    const run = () => resolveOptimizer(createContainer(corePlugins), 'paged_adamw_8bit', args);
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      "optim 'paged_adamw_8bit' is in @tunekit/peft-qlora: npm install @tunekit/peft-qlora and load it (--plugin @tunekit/peft-qlora, or plugins: [@tunekit/peft-qlora] in the config); registered: adamw_torch",
    );
  });

  it("lists the registered ids for an unknown name, and finds a third party's", () => {
    const thirdParty: TunekitPlugin = {
      name: 'tunekit-lion',
      coreRange: CORE_VERSION,
      register(c) {
        c.register(TOKENS.OptimizerFactory, {
          useValue: { id: 'lion', create: () => ({ ...adamw(), id: 'lion' }) },
        });
      },
    };
    const container = createContainer([...corePlugins, thirdParty]);
    expect(resolveOptimizer(container, 'lion', args).id).toBe('lion');
    expect(() => resolveOptimizer(container, 'adafactor', args)).toThrow(
      "unknown optim 'adafactor'; registered: adamw_torch, lion",
    );
  });
});
