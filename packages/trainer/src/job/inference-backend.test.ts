import { type BackendFactory, ReferenceBackend, TOKENS, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chooseInferenceBackend, openInferenceBackend } from './inference-backend.js';
import { jobContainer } from './test-utils.js';
import type { TrainingRecord } from './training-record.js';

/** A backend with one option, available or not (a GPU backend on a machine without an adapter). */
const gpuBackend = (available: boolean): BackendFactory => ({
  id: 'gpu',
  priority: -1,
  optionsSchema: z.strictObject({ f16_weights: z.enum(['off', 'on']).default('off') }),
  isAvailable: () => available,
  create: () => new ReferenceBackend(),
});

function containerWith(gpu: BackendFactory) {
  const container = jobContainer();
  container.register(TOKENS.BackendFactory, { useValue: gpu });
  return container;
}

const container = containerWith(gpuBackend(true));
/** A run's record as the resolution reads it: only its config's backend keys. */
const trainedOn = (config: Record<string, unknown>) => ({ config }) as TrainingRecord;
const gpuRun = trainedOn({ backend: 'gpu', backend_options: { f16_weights: 'on' } });

describe('chooseInferenceBackend', () => {
  it("runs on the run's backend with its options when no --backend is given, and says so", async () => {
    const chosen = await chooseInferenceBackend(container, {}, gpuRun);
    expect(chosen.factory.id).toBe('gpu');
    expect(chosen.backendOptions).toEqual({ f16_weights: 'on' });
    expect(chosen.note).toBe(
      'note: backend gpu, the one the run trained on (its training_record.json) with its backend_options; --backend <id> picks another',
    );
  });

  it("lets --backend-option override the run's options on the run's backend", async () => {
    const chosen = await chooseInferenceBackend(
      container,
      { backendOptions: { f16_weights: 'off' } },
      gpuRun,
    );
    expect(chosen.factory.id).toBe('gpu');
    expect(chosen.backendOptions).toEqual({ f16_weights: 'off' });
  });

  it("carries the run's options to --backend only when it names the run's backend", async () => {
    const same = await chooseInferenceBackend(container, { backend: 'gpu' }, gpuRun);
    expect(same.backendOptions).toEqual({ f16_weights: 'on' });
    expect(same.note).toBe(
      'note: backend gpu, as --backend names, the one the run trained on with its backend_options',
    );
    const other = await chooseInferenceBackend(container, { backend: 'reference' }, gpuRun);
    expect(other.factory.id).toBe('reference');
    expect(other.backendOptions).toEqual({});
    expect(other.note).toBe(
      'note: backend reference, as --backend names; the run trained on gpu, whose backend_options do not apply here',
    );
  });

  it('takes --backend, else the best available backend, when the run names none', async () => {
    // the gpu backend's priority is below the reference backend's
    const named = await chooseInferenceBackend(container, {}, trainedOn({}));
    expect(named.factory.id).toBe('reference');
    expect(named.note).toBe(
      'note: backend reference, the best available one (the run named none); --backend <id> picks another',
    );
    const flagged = await chooseInferenceBackend(container, { backend: 'gpu' }, trainedOn({}));
    expect(flagged.note).toBe('note: backend gpu, as --backend names (the run named none)');
    // a model without a record: as before, and nothing to say
    const unrecorded = await chooseInferenceBackend(container, {});
    expect(unrecorded.factory.id).toBe('reference');
    expect(unrecorded.note).toBeUndefined();
  });

  it("fails in one line naming the run's backend and --backend when it cannot run here", async () => {
    const noAdapter = containerWith(gpuBackend(false));
    const error = await chooseInferenceBackend(noAdapter, {}, gpuRun).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      "the run trained on backend 'gpu' (backend: in its training_record.json), which cannot run here: backend 'gpu' is not available here: isAvailable() returned false; pass --backend <id> to run on another (e.g. --backend reference)",
    );
    await expect(
      chooseInferenceBackend(container, {}, trainedOn({ backend: 'tpu' })),
    ).rejects.toThrow(
      "the run trained on backend 'tpu' (backend: in its training_record.json), which cannot run here: unknown backend 'tpu'; registered: gpu, reference; pass --backend <id> to run on another (e.g. --backend reference)",
    );
    // --backend runs elsewhere without asking the run's backend
    const elsewhere = await chooseInferenceBackend(noAdapter, { backend: 'reference' }, gpuRun);
    expect(elsewhere.factory.id).toBe('reference');
  });
});

describe('openInferenceBackend', () => {
  it('creates the chosen backend and writes its note through warn', async () => {
    const notes: string[] = [];
    const backend = await openInferenceBackend(
      container,
      { warn: (line) => notes.push(line) },
      gpuRun,
    );
    expect(backend.id).toBe('reference'); // what the test's gpu factory creates
    expect(notes).toEqual([
      expect.stringMatching(/^note: backend gpu, the one the run trained on/),
    ]);
  });
});
