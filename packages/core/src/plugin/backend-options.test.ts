import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BackendConfig, BackendFactory, BackendOptions } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference/index.js';
import { createContainer } from './container.js';
import { corePlugins } from './core-plugins.js';
import { CORE_VERSION } from './core-version.js';
import type { TunekitPlugin } from './plugin.js';
import { resolveBackend } from './resolve-backend.js';
import { TOKENS } from './tokens.js';

/** A factory with an options schema that remembers the options each create received. */
function factoryWith(id: string, optionsSchema: z.ZodType<BackendConfig>) {
  const received: (BackendOptions | undefined)[] = [];
  const factory: BackendFactory = {
    id,
    priority: 1,
    optionsSchema,
    isAvailable: () => true,
    create: (opts) => {
      received.push(opts);
      return new ReferenceBackend();
    },
  };
  return { factory, received };
}

const gpu = factoryWith(
  'gpu',
  z.strictObject({ f16_weights: z.enum(['off', 'auto', 'on']).default('off') }),
);
const cpu = factoryWith(
  'cpu',
  z.strictObject({ frozen_weights: z.enum(['inputs', 'initializers']).default('inputs') }),
);
const root = createContainer([
  ...corePlugins,
  ...[gpu, cpu].map(
    ({ factory }): TunekitPlugin => ({
      name: `tunekit-backend-${factory.id}`,
      coreRange: `^${CORE_VERSION}`,
      register: (c) => c.register(TOKENS.BackendFactory, { useValue: factory }),
    }),
  ),
]);

describe('backend options', () => {
  it("reach the backend parsed by its factory's schema, every default filled in", async () => {
    await resolveBackend(root, 'gpu', { backendOptions: { f16_weights: 'on' } });
    await resolveBackend(root, 'gpu');
    expect(gpu.received.map((opts) => opts?.backendOptions)).toEqual([
      { f16_weights: 'on' },
      { f16_weights: 'off' },
    ]);
  });

  it('name the option and the backend when a value is bad', async () => {
    await expect(
      resolveBackend(root, 'gpu', { backendOptions: { f16_weights: 'half' } }),
    ).rejects.toThrow(/^backend 'gpu': backend_options\.f16_weights: Invalid option/);
  });

  it("name an unknown option, the backend, and the backend's own options", async () => {
    await expect(resolveBackend(root, 'gpu', { backendOptions: { f16: 'on' } })).rejects.toThrow(
      "backend 'gpu': backend_options.f16: not an option of backend 'gpu' (its options: f16_weights)",
    );
  });

  it('say when an option belongs to another backend than the one chosen', async () => {
    await expect(
      resolveBackend(root, 'gpu', { backendOptions: { frozen_weights: 'initializers' } }),
    ).rejects.toThrow(
      "backend_options.frozen_weights: an option of backend 'cpu', not of backend 'gpu', the one chosen",
    );
  });

  it('are refused by a backend that declares none', async () => {
    await expect(
      resolveBackend(root, 'reference', { backendOptions: { f16_weights: 'on' } }),
    ).rejects.toThrow("backend_options.f16_weights: an option of backend 'gpu'");
    await expect(
      resolveBackend(createContainer(corePlugins), 'reference', { backendOptions: { x: 1 } }),
    ).rejects.toThrow(
      "backend 'reference': backend_options.x: backend 'reference' takes no options",
    );
  });
});
