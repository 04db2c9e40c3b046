import { type BackendFactory, ReferenceBackend, TOKENS } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobContainer } from './test-utils.js';
import { trainConfigSchema } from './train-config.js';
import { parseRouterTrainConfig } from './train-router-from-config.js';

/** A backend with one option, as a third party's plugin would register it. */
const gpu: BackendFactory = {
  id: 'gpu',
  priority: 0,
  optionsSchema: z.strictObject({
    f16_weights: z.enum(['off', 'auto', 'on']).default('off'),
    subgroups: z.boolean().default(true),
  }),
  isAvailable: () => true,
  create: () => new ReferenceBackend(),
};
const container = jobContainer();
container.register(TOKENS.BackendFactory, { useValue: gpu });
const schema = trainConfigSchema(container);
const base = { model: 'm', train: 'a.jsonl' };
const issues = (config: object) =>
  (schema.safeParse({ ...base, ...config }).error?.issues ?? []).map(
    (i) => `${i.path.join('.')}: ${i.message}`,
  );

describe('backend_options in a train config', () => {
  it("are checked by the named backend's own schema, its defaults filled in", () => {
    const config = schema.parse({
      ...base,
      backend: 'gpu',
      backend_options: { f16_weights: 'on' },
    });
    expect(config.backend_options).toEqual({ f16_weights: 'on', subgroups: true });
    expect(schema.parse({ ...base, backend: 'gpu' }).backend_options).toBeUndefined();
  });

  it('name an unknown key, a bad value and the backend', () => {
    expect(issues({ backend: 'gpu', backend_options: { f16: 'on', subgroups: 'yes' } })).toEqual([
      'backend_options.subgroups: Invalid input: expected boolean, received string',
      "backend_options.f16: not an option of backend 'gpu' (its options: f16_weights, subgroups)",
    ]);
  });

  it('refuse options for a backend that is not the one chosen, or with none chosen', () => {
    expect(issues({ backend: 'reference', backend_options: { f16_weights: 'on' } })).toEqual([
      "backend_options.f16_weights: an option of backend 'gpu', not of backend 'reference', the one chosen",
    ]);
    expect(issues({ backend_options: { f16_weights: 'on' } })).toEqual([
      'backend_options: backend options are one backend’s: name it with backend: (e.g. backend: webgpu), whose schema checks them',
    ]);
    expect(issues({ backend: 'tpu', backend_options: {} })).toEqual([
      "backend: unknown backend 'tpu'; registered: gpu, reference",
    ]);
  });

  it("need a backend named in a router's config too", () => {
    const router = { task: 'router', model: 'm', train: 'r.jsonl', output_dir: 'out' };
    expect(() => parseRouterTrainConfig({ ...router, backend_options: { x: 1 } })).toThrow(
      /backend_options: backend options are one backend’s/,
    );
    expect(
      parseRouterTrainConfig({ ...router, backend: 'gpu', backend_options: { x: 1 } }),
    ).toMatchObject({ backend_options: { x: 1 } });
  });
});
