import { describe, expect, it } from 'vitest';
import { buildCausalLM } from '../build-causal-lm.js';
import {
  cachedVersusRecomputed,
  parameterShapes,
  randomModel,
  tinyLlamaConfig,
} from '../test-utils.js';
import { qwen2ConfigSchema, qwen2SlidingWindow } from './config.js';

const tiny = tinyLlamaConfig('qwen2', { num_key_value_heads: 1, tie_word_embeddings: true });

describe('qwen2 family', () => {
  it('has HF Qwen2ForCausalLM names: q/k/v biases, none on o_proj or the MLP', () => {
    const { model, family } = buildCausalLM({ ...tiny, num_hidden_layers: 1 });
    expect(family.id).toBe('qwen2');
    const l = 'model.layers.0';
    expect(parameterShapes(model)).toEqual([
      ['model.embed_tokens.weight', [20, 16]],
      [`${l}.self_attn.q_proj.weight`, [16, 16]],
      [`${l}.self_attn.q_proj.bias`, [16]],
      [`${l}.self_attn.k_proj.weight`, [4, 16]],
      [`${l}.self_attn.k_proj.bias`, [4]],
      [`${l}.self_attn.v_proj.weight`, [4, 16]],
      [`${l}.self_attn.v_proj.bias`, [4]],
      [`${l}.self_attn.o_proj.weight`, [16, 16]],
      [`${l}.mlp.gate_proj.weight`, [24, 16]],
      [`${l}.mlp.up_proj.weight`, [24, 16]],
      [`${l}.mlp.down_proj.weight`, [16, 24]],
      [`${l}.input_layernorm.weight`, [16]],
      [`${l}.post_attention_layernorm.weight`, [16]],
      ['model.norm.weight', [16]],
    ]);
  });

  it('uses the sliding window only with use_sliding_window, from max_window_layers on or per layer_types', () => {
    const window = (c: Record<string, unknown>) => {
      const config = qwen2ConfigSchema.parse({ ...tiny, num_hidden_layers: 3, ...c });
      return [0, 1, 2].map((i) => qwen2SlidingWindow(config, i));
    };
    expect(window({ sliding_window: 4 })).toEqual([undefined, undefined, undefined]);
    expect(window({ use_sliding_window: true, sliding_window: 4, max_window_layers: 1 })).toEqual([
      undefined,
      4,
      4,
    ]);
    expect(
      window({
        use_sliding_window: true,
        sliding_window: 4,
        layer_types: ['sliding_attention', 'full_attention', 'sliding_attention'],
      }),
    ).toEqual([4, undefined, 4]);
  });

  it('a prefill and decode steps through the cache give the logits of a full recompute', async () => {
    const model = randomModel(tiny);
    const ids = [[5, 3, 0, 19, 7, 7]];
    expect(await cachedVersusRecomputed(model, ids, 2, 8)).toBeLessThan(1e-5);
  });
});
