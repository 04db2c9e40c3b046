import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/index.js';
import { TraceContext } from '../nn/trace-context.js';
import { buildCausalLM } from './build-causal-lm.js';

const { model } = buildCausalLM({
  model_type: 'llama',
  vocab_size: 10,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
});

function trace(inputs: (b: GraphBuilder) => Parameters<typeof model.forward>[1]) {
  const b = new GraphBuilder();
  return () => model.forward(new TraceContext(b, model), inputs(b));
}

describe('causal LM inputs', () => {
  it('are checked at trace time against the contract, naming the input', () => {
    const ids = (b: GraphBuilder) => b.input('input_ids', [2, 3], 'i32');
    expect(
      trace((b) => ({ input_ids: ids(b), position_ids: b.input('position_ids', [2, 3], 'f32') })),
    ).toThrow('LlamaForCausalLM: position_ids must be i32 [2, 3] like input_ids, got f32[2, 3]');
    expect(
      trace((b) => ({
        input_ids: ids(b),
        position_ids: b.input('position_ids', [2, 3], 'i32'),
        attention_mask: b.input('attention_mask', [2, 3, 3]),
      })),
    ).toThrow('attention_mask must be f32[2, 1, 3, 3], got f32[2, 3, 3]');
    expect(
      trace((b) => ({
        input_ids: ids(b),
        position_ids: b.input('position_ids', [2, 3], 'i32'),
        cache: {
          positions: b.input('cache_position', [3], 'i32'),
          layers: [{ key: b.input('k', [2, 1, 8, 4]), value: b.input('v', [2, 1, 8, 4]) }],
        },
      })),
    ).toThrow('the cache has 1 layers, the model 2');
    expect(
      trace((b) => ({
        input_ids: ids(b),
        position_ids: b.input('position_ids', [2, 3], 'i32'),
        segment_ids: b.input('segment_ids', [2, 3], 'f32'),
      })),
    ).toThrow('segment_ids must be i32[2, 3], got f32[2, 3]');
    expect(
      trace((b) => ({
        input_ids: ids(b),
        position_ids: b.input('position_ids', [2, 3], 'i32'),
        segment_ids: b.input('segment_ids', [2, 3], 'i32'),
        attention_mask: b.input('attention_mask', [2, 1, 3, 3]),
      })),
    ).toThrow('segment_ids (packed rows) go without attention_mask, cache and past_key_values');
  });
});
