import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BackendFactory } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference/index.js';
import { UserError } from '../errors/index.js';
import { peftConfigFields } from '../peft/index.js';
import { createContainer } from './container.js';
import { corePlugins } from './core-plugins.js';
import { CORE_VERSION } from './core-version.js';
import type { PeftMethod } from './extension-points.js';
import type { TunekitPlugin } from './plugin.js';
import { listIds, resolveById } from './registry.js';
import { resolveBackend } from './resolve-backend.js';
import { TOKENS } from './tokens.js';

const loraSchema = z.object({
  ...peftConfigFields,
  r: z.number().int().default(8),
  lora_alpha: z.number().default(8),
});
const lora: PeftMethod<z.infer<typeof loraSchema>> = {
  id: 'lora',
  prefix: 'lora_',
  isPromptLearning: false,
  configSchema: loraSchema,
  inject: (_model, config) => config,
};
const qlora: PeftMethod = {
  id: 'qlora',
  prefix: 'qlora_',
  isPromptLearning: false,
  configSchema: z.object(peftConfigFields),
  inject: (_model, config) => config,
};

function plugin(name: string, register: TunekitPlugin['register']): TunekitPlugin {
  return { name, coreRange: `^${CORE_VERSION}`, register };
}
const loraPlugin = plugin('@tunekit/peft-lora', (c) =>
  c.register(TOKENS.PeftMethod, { useValue: lora }),
);
// A factory registration: provenance follows the value the factory makes.
const qloraPlugin = plugin('@tunekit/peft-qlora', (c) =>
  c.register(TOKENS.PeftMethod, { useFactory: () => qlora }),
);

function backendPlugin(name: string, factory: BackendFactory): TunekitPlugin {
  return plugin(name, (c) => c.register(TOKENS.BackendFactory, { useValue: factory }));
}
function fakeFactory(
  id: string,
  priority: number,
  isAvailable: BackendFactory['isAvailable'],
): BackendFactory {
  return { id, priority, isAvailable, create: () => new ReferenceBackend({ precision: 'f64' }) };
}

describe('resolveById', () => {
  it('resolves methods registered by two plugins', () => {
    const root = createContainer([loraPlugin, qloraPlugin]);
    expect(resolveById(root, TOKENS.PeftMethod, 'lora', 'peft method')).toBe(lora);
    expect(resolveById(root, TOKENS.PeftMethod, 'qlora', 'peft method')).toBe(qlora);
    expect(listIds(root, TOKENS.PeftMethod)).toEqual(['lora', 'qlora']);
  });

  it('lists the registered ids, sorted, on a miss', () => {
    const root = createContainer([qloraPlugin, loraPlugin]);
    const run = () => resolveById(root, TOKENS.PeftMethod, 'iaa', 'peft method');
    expect(run).toThrow(UserError);
    expect(run).toThrow("unknown peft method 'iaa'; registered: lora, qlora");
  });

  it('treats a token nobody registered as an empty list', () => {
    const root = createContainer([]);
    expect(listIds(root, TOKENS.ChatTemplate)).toEqual([]);
    expect(() => resolveById(root, TOKENS.ChatTemplate, 'chatml', 'chat template')).toThrow(
      "unknown chat template 'chatml'; registered: none",
    );
  });

  it('names the plugins that register the same id', () => {
    const copy = plugin('tunekit-peft-lora-fork', (c) =>
      c.register(TOKENS.PeftMethod, { useValue: { ...lora } }),
    );
    const root = createContainer([loraPlugin, copy]);
    expect(() => resolveById(root, TOKENS.PeftMethod, 'lora', 'peft method')).toThrow(
      "peft method 'lora' is registered more than once (by '@tunekit/peft-lora', 'tunekit-peft-lora-fork')",
    );
  });
});

describe('resolveBackend', () => {
  it('picks the reference backend from corePlugins and creates it', async () => {
    const root = createContainer(corePlugins);
    expect(listIds(root, TOKENS.BackendFactory)).toEqual(['reference']);
    const backend = await resolveBackend(root);
    expect(backend).toBeInstanceOf(ReferenceBackend);
    expect(backend.id).toBe('reference');
    const f64 = await resolveBackend(root, 'reference', { precision: 'f64' });
    expect(f64).toMatchObject({ precision: 'f64' });
  });

  it('prefers the available factory with the highest priority', async () => {
    const fast = fakeFactory('fast', 2, () => Promise.resolve(true));
    const absent = fakeFactory('absent', 3, () => false);
    const root = createContainer([
      ...corePlugins,
      backendPlugin('fast', fast),
      backendPlugin('absent', absent),
    ]);
    const chosen = await resolveBackend(root);
    expect(chosen).toMatchObject({ precision: 'f64' });
    await expect(resolveBackend(root, 'absent')).rejects.toThrow(
      "backend 'absent' is not available here: isAvailable() returned false",
    );
    await expect(resolveBackend(root, 'webgpu')).rejects.toThrow(
      "unknown backend 'webgpu'; registered: absent, fast, reference",
    );
  });

  it('reports why no backend is available', async () => {
    const broken = fakeFactory('gpu', 1, () => {
      throw new Error('no adapter');
    });
    const root = createContainer([backendPlugin('gpu', broken)]);
    await expect(resolveBackend(root)).rejects.toThrow(
      'no registered backend is available here (gpu: isAvailable() threw: no adapter)',
    );
    await expect(resolveBackend(createContainer([]))).rejects.toThrow(/^no backend is registered/);
  });
});
