import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostTensor, PeftModel, readAdapterFolder } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixTuningMethod, pTuningV2Method } from '../src/index.js';
import { logitsOf, maxAbsDiff, TINY_GPT2, TINY_LLAMA, tinyModel } from './helpers.js';

const METHODS = [prefixTuningMethod, pTuningV2Method];
const LLAMA_OPTIONS = { methods: METHODS, modelType: 'llama', modelConfig: TINY_LLAMA };
const ROWS = [
  [3, 1, 4, 1, 5],
  [9, 2, 6, 5, 3],
];

/** tanh(x W0^T + b0) W2^T + b2 over the rows of x, in f64: PEFT's `transform`, by hand. */
function projected(params: Map<string, HostTensor>, x: HostTensor): number[] {
  const get = (name: string) => params.get(name)?.toFloat64() as Float64Array;
  const layer = (input: number[][], w: Float64Array, bias: Float64Array) =>
    input.map((row) =>
      Array.from(bias, (b0, o) => row.reduce((sum, v, i) => sum + v * w[o * row.length + i], b0)),
    );
  const [n, dim] = x.shape;
  const rows = Array.from({ length: n }, (_, r) =>
    Array.from(x.toFloat64().subarray(r * dim, (r + 1) * dim)),
  );
  const hidden = layer(rows, get('transform.0.weight'), get('transform.0.bias')).map((r) =>
    r.map(Math.tanh),
  );
  return layer(hidden, get('transform.2.weight'), get('transform.2.bias')).flat();
}

describe('a prefix-tuning adapter on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunekit-prefix-tuning-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has the adapter_config.json PEFT writes: one key/value head wide on a GQA model', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      prefixTuningMethod,
      { num_virtual_tokens: 5 },
      LLAMA_OPTIONS,
    );
    await peft.save(dir, { baseModelNameOrPath: 'tiny-llama' });
    // PrefixTuningConfig.to_dict() of PEFT, less peft_version; hidden 8 = 2 heads of 4, 1 kv head
    expect(JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'))).toEqual({
      task_type: 'CAUSAL_LM',
      peft_type: 'PREFIX_TUNING',
      auto_mapping: null,
      base_model_name_or_path: 'tiny-llama',
      revision: null,
      inference_mode: true,
      num_virtual_tokens: 5,
      token_dim: 4,
      num_transformer_submodules: 1,
      num_attention_heads: 1,
      num_layers: 2,
      modules_to_save: null,
      init_weights: null,
      encoder_hidden_size: 4,
      prefix_projection: false,
    });
    const { tensors } = await readAdapterFolder(dir);
    expect([...tensors].map(([k, t]) => [k, t.dtype, t.shape])).toEqual([
      ['prompt_embeddings', 'f32', [5, 2 * 2 * 4]], // [N, num_layers * 2 * token_dim]
    ]);
  });

  it('holds prompt_embeddings [N, num_layers * 2 * n_embd] for GPT-2', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_GPT2),
      prefixTuningMethod,
      { num_virtual_tokens: 4 },
      { modelConfig: TINY_GPT2 },
    );
    await peft.save(dir);
    const { tensors, config } = await readAdapterFolder(dir);
    expect(tensors.get('prompt_embeddings')?.shape).toEqual([4, 2 * 2 * 8]);
    expect([config.token_dim, config.num_attention_heads, config.encoder_hidden_size]).toEqual([
      8, 2, 8,
    ]);
  });

  it('with prefix_projection trains an MLP and saves its output as the table', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      prefixTuningMethod,
      { num_virtual_tokens: 3, prefix_projection: true, encoder_hidden_size: 6 },
      LLAMA_OPTIONS,
    );
    const params = new Map([...peft.adapterParameters()].map(([k, p]) => [k, p.value]));
    expect([...params].map(([k, t]) => [k, t.shape])).toEqual([
      ['prompt_embeddings', [3, 4]],
      ['transform.0.weight', [6, 4]],
      ['transform.0.bias', [6]],
      ['transform.2.weight', [16, 6]],
      ['transform.2.bias', [16]],
    ]);
    await peft.save(dir);
    const { tensors, config } = await readAdapterFolder(dir);
    expect(config.prefix_projection).toBe(true);
    expect([...tensors.keys()]).toEqual(['prompt_embeddings']);
    const saved = tensors.get('prompt_embeddings') as HostTensor;
    expect(saved.shape).toEqual([3, 16]);
    const want = projected(params, params.get('prompt_embeddings') as HostTensor);
    expect(maxAbsDiff(saved.toFloat64(), want)).toBeLessThan(1e-6);

    // loaded for inference (as PEFT's from_pretrained), the table is used as it is: same logits
    const loaded = await PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, LLAMA_OPTIONS);
    expect(loaded.trainableParameters()).toEqual([]);
    expect(await logitsOf(loaded.model, ROWS)).toEqual(await logitsOf(peft.model, ROWS));
    // trainable, it would need the MLP's weights, which PEFT does not save either
    await expect(
      PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, { ...LLAMA_OPTIONS, isTrainable: true }),
    ).rejects.toThrow(/prompt_embeddings: file \[3, 16\], model \[3, 4\]/);
  });

  it("init_weights 'zero' starts the prefix at zero, with and without projection", async () => {
    for (const prefix_projection of [false, true]) {
      const peft = PeftModel.create(
        tinyModel(TINY_LLAMA),
        prefixTuningMethod,
        { num_virtual_tokens: 2, init_weights: 'zero', prefix_projection },
        LLAMA_OPTIONS,
      );
      await peft.save(dir);
      const { tensors } = await readAdapterFolder(dir);
      expect(
        tensors
          .get('prompt_embeddings')
          ?.toFloat64()
          .every((v) => v === 0),
      ).toBe(true);
    }
  });

  it('p_tuning_v2 is saved as PEFT prefix tuning without projection, and loads as it', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      pTuningV2Method,
      { num_virtual_tokens: 3 },
      LLAMA_OPTIONS,
    );
    await peft.save(dir);
    const { config } = await readAdapterFolder(dir);
    expect([config.peft_type, config.prefix_projection]).toEqual(['PREFIX_TUNING', false]);
    const loaded = await PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, LLAMA_OPTIONS);
    expect(await logitsOf(loaded.model, ROWS)).toEqual(await logitsOf(peft.model, ROWS));
    expect(() =>
      PeftModel.create(
        tinyModel(TINY_LLAMA),
        pTuningV2Method,
        { num_virtual_tokens: 3, prefix_projection: true },
        LLAMA_OPTIONS,
      ),
    ).toThrow(/prefix_projection: .*P-Tuning v2 is prefix tuning without projection/);
  });

  it('refuses to merge, saying why', () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      prefixTuningMethod,
      { num_virtual_tokens: 3 },
      LLAMA_OPTIONS,
    );
    expect(() => peft.mergeAndUnload()).toThrow(
      /PREFIX_TUNING\) cannot be merged: .*key\/value prefixes .*nothing to merge/,
    );
  });

  it('names the field when the prefix does not fit the model', () => {
    expect(() =>
      PeftModel.create(
        tinyModel(TINY_GPT2),
        prefixTuningMethod,
        { num_virtual_tokens: 3, num_layers: 3 },
        { modelConfig: TINY_GPT2 },
      ),
    ).toThrow(/num_layers: 3, but the model has 2 layers/);
  });
});
