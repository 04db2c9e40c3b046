import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCausalLM, type PeftMethod, PeftModel, readAdapterFolder } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixTuningMethod, promptTuningMethod, pTuningMethod } from '../src/index.js';
import {
  FIXTURES,
  lossAndGrads,
  MODELS,
  readGolden,
  readTensors,
  relativeError,
} from './golden-helpers.js';

// Golden values from scripts/golden_prompt_learning.py: PEFT's prompt-learning forward, prompt
// encoders and prefix encoder written out in PyTorch, on core's tiny model folders (Llama and Qwen2
// with grouped-query attention); nothing there comes from tunekit. prefix_tuning is without
// projection (P-Tuning v2), prefix_tuning_projection with PEFT's reparameterisation MLP.
const CASES = [
  ['tiny-llama', 'prompt_tuning'],
  ['tiny-llama', 'p_tuning'],
  ['tiny-llama', 'p_tuning_lstm'],
  ['tiny-llama', 'prefix_tuning'],
  ['tiny-llama', 'prefix_tuning_projection'],
  ['tiny-qwen2', 'prompt_tuning'],
  ['tiny-qwen2', 'p_tuning'],
  ['tiny-qwen2', 'prefix_tuning'],
  ['tiny-qwen2', 'prefix_tuning_projection'],
  ['tiny-gpt2', 'prompt_tuning'],
  ['tiny-gpt2', 'p_tuning'],
  ['tiny-gpt2', 'prefix_tuning'],
  ['tiny-gpt2', 'prefix_tuning_projection'],
] as const;
const METHODS: readonly PeftMethod[] = [promptTuningMethod, pTuningMethod, prefixTuningMethod];
const TOLERANCE = 1e-5; // relative to the largest golden value

/** The golden's base model with the case's adapter, trainable, its parameters the golden's. */
async function adapted(model: string, dir: string) {
  const base = await loadCausalLM(join(MODELS, model));
  const saved = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
  const method = METHODS.find((m) => m.id.toUpperCase() === saved.peft_type) as PeftMethod;
  const peft = PeftModel.create(
    base.model,
    method,
    { ...saved, inference_mode: false },
    { modelConfig: base.config },
  );
  const params = await readTensors(join(dir, 'parameters.safetensors'));
  // PEFT's `embedding.weight` of the prompt encoder is saved as `prompt_embeddings`
  const byKey = new Map(
    [...params].map(([name, t]) => [name === 'embedding.weight' ? 'prompt_embeddings' : name, t]),
  );
  peft.loadStateDict(byKey);
  return { peft, saved };
}

describe.each(CASES)('%s with %s against PyTorch', (model, caseName) => {
  const dir = join(FIXTURES, model, caseName);
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), `tunekit-golden-${caseName}-`));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('gives PEFT’s logits, loss and gradients of every prompt or prefix parameter', async () => {
    const golden = await readGolden(dir);
    const { peft } = await adapted(model, dir);
    const params = new Map(
      [...peft.adapterParameters()].map(([key, p]) => [
        key === 'prompt_embeddings' ? 'embedding.weight' : key,
        p,
      ]),
    );
    expect([...params.keys()].sort()).toEqual(Object.keys(golden.grads).sort());
    const got = await lossAndGrads(peft.model, golden, params);
    expect(got.logits.shape).toEqual(golden.logits.shape);
    expect(relativeError(got.logits.toFloat64(), golden.logits.data)).toBeLessThan(TOLERANCE);
    expect(Math.abs(got.loss - golden.loss) / golden.loss).toBeLessThan(TOLERANCE);
    for (const [name, want] of Object.entries(golden.grads)) {
      const g = got.grads.get(name);
      expect(g?.shape, name).toEqual(want.shape);
      expect(relativeError(g?.toFloat64() ?? [], want.data), name).toBeLessThan(TOLERANCE);
    }
  });

  it('saves what PEFT saves: its adapter_config.json and prompt_embeddings', async () => {
    const { peft, saved } = await adapted(model, dir);
    await peft.save(out);
    const written = await readAdapterFolder(out);
    expect(written.config).toEqual(saved);
    const want = (await readTensors(join(dir, 'adapter_model.safetensors'))).get(
      'prompt_embeddings',
    );
    const got = written.tensors.get('prompt_embeddings');
    expect([...written.tensors.keys()]).toEqual(['prompt_embeddings']);
    expect(got?.shape).toEqual(want?.shape);
    expect(relativeError(got?.toFloat64() ?? [], want?.toFloat64() ?? [])).toBeLessThan(TOLERANCE);
  });

  it('loads PEFT’s adapter folder for inference and gives PEFT’s logits', async () => {
    const golden = await readGolden(dir);
    const base = await loadCausalLM(join(MODELS, model));
    const peft = await PeftModel.fromPretrained(base.model, dir, {
      methods: METHODS,
      modelConfig: base.config,
    });
    expect(peft.trainableParameters()).toEqual([]);
    const got = await lossAndGrads(peft.model, golden, new Map());
    expect(relativeError(got.logits.toFloat64(), golden.logits.data)).toBeLessThan(TOLERANCE);
  });
});
