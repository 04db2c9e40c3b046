import {
  CORE_VERSION,
  createContainer,
  Linear,
  type LinearDispatcher,
  PeftModel,
  resolveAllOf,
  resolveById,
  TOKENS,
  type TunekitPlugin,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import {
  DenseLoraBase,
  type LoraLayerOptions,
  LoraLinear,
  loraMethod,
  plugin,
} from '../src/index.js';
import { tinyLlama } from './helpers.js';

describe('the plugin', () => {
  it("registers method 'lora' and the dense dispatcher", () => {
    const root = createContainer([plugin]);
    expect(resolveById(root, TOKENS.PeftMethod, 'lora', 'peft method')).toBe(loraMethod);
    expect(resolveAllOf(root, TOKENS.LinearDispatcher).map((d) => `${d.method}/${d.id}`)).toEqual([
      'lora/dense',
    ]);
  });

  it('lets another plugin put a dispatcher ahead of the dense one, as QLoRA will', async () => {
    const wrapped: string[] = [];
    const special: LinearDispatcher<LoraLayerOptions> = {
      id: 'special',
      method: 'lora',
      priority: 10,
      accepts: (m) => m instanceof Linear && m.outFeatures === 8,
      create(target, options) {
        wrapped.push(options.adapterName);
        const layer = new LoraLinear(target as Linear, new DenseLoraBase(target as Linear));
        layer.updateLayer(options);
        return layer;
      },
    };
    const other: TunekitPlugin = {
      name: 'tunekit-peft-special',
      coreRange: `^${CORE_VERSION}`,
      register: (c) => void c.register(TOKENS.LinearDispatcher, { useValue: special }),
    };
    const root = createContainer([plugin, other]);
    PeftModel.create(
      await tinyLlama(),
      resolveById(root, TOKENS.PeftMethod, 'lora', 'peft method'),
      { target_modules: ['q_proj', 'k_proj'] },
      {
        dispatchers: resolveAllOf(root, TOKENS.LinearDispatcher),
      },
    );
    // k_proj is 16 -> 8 in the tiny Llama: the special dispatcher takes both layers' k_proj
    expect(wrapped).toEqual(['default', 'default']);
  });
});
