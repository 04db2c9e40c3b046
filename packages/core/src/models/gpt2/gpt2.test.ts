import { describe, expect, it } from 'vitest';
import { buildCausalLM } from '../build-causal-lm.js';
import {
  cachedVersusRecomputed,
  packedVersusSeparate,
  parameterShapes,
  randomModel,
  TINY_GPT2_CONFIG,
} from '../test-utils.js';

const tiny = TINY_GPT2_CONFIG;

describe('gpt2 family', () => {
  it('has the parameter names and shapes of HF GPT2LMHeadModel (Conv1D weights [in, out])', () => {
    const { model, family } = buildCausalLM({ ...tiny, n_layer: 1 });
    expect(family.id).toBe('gpt2');
    const h = 'transformer.h.0';
    expect(parameterShapes(model)).toEqual([
      ['transformer.wte.weight', [20, 8]],
      ['transformer.wpe.weight', [16, 8]],
      [`${h}.ln_1.weight`, [8]],
      [`${h}.ln_1.bias`, [8]],
      [`${h}.attn.c_attn.weight`, [8, 24]],
      [`${h}.attn.c_attn.bias`, [24]],
      [`${h}.attn.c_proj.weight`, [8, 8]],
      [`${h}.attn.c_proj.bias`, [8]],
      [`${h}.ln_2.weight`, [8]],
      [`${h}.ln_2.bias`, [8]],
      [`${h}.mlp.c_fc.weight`, [8, 32]],
      [`${h}.mlp.c_fc.bias`, [32]],
      [`${h}.mlp.c_proj.weight`, [32, 8]],
      [`${h}.mlp.c_proj.bias`, [8]],
      ['transformer.ln_f.weight', [8]],
      ['transformer.ln_f.bias', [8]],
    ]);
    expect(model.shape).toEqual({
      vocabSize: 20,
      numLayers: 1,
      numKeyValueHeads: 2,
      headDim: 4,
      maxPositions: 16,
    });
  });

  it('has an lm_head when tie_word_embeddings is false, and n_inner sizes the MLP', () => {
    const { model } = buildCausalLM({
      ...tiny,
      n_layer: 1,
      tie_word_embeddings: false,
      n_inner: 12,
    });
    const shapes = new Map(parameterShapes(model));
    expect(shapes.get('lm_head.weight')).toEqual([20, 8]);
    expect(shapes.get('transformer.h.0.mlp.c_fc.weight')).toEqual([8, 12]);
  });

  it('a prefill and decode steps through the cache give the logits of a full recompute', async () => {
    const model = randomModel(tiny);
    const ids = [
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ];
    expect(await cachedVersusRecomputed(model, ids, 1, 7)).toBeLessThan(1e-5);
  });

  it('learned positions come from position_ids: packed examples match each alone', async () => {
    const model = randomModel(tiny, 3);
    expect(await packedVersusSeparate(model, [1, 2, 3], [4, 5])).toBeLessThan(1e-5);
  });
});
