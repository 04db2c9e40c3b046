import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { TraceContext } from '../nn/trace-context.js';
import { HostTensor } from '../tensor/index.js';
import { buildCausalLM } from './build-causal-lm.js';
import { withVirtualTokens } from './virtual-tokens.js';

const H = Number.NEGATIVE_INFINITY;

describe('withVirtualTokens', () => {
  it('extends packed rows given by segment ids as it extends their dense mask', async () => {
    const { model } = buildCausalLM({
      model_type: 'llama',
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 12,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
    });
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, model);
    const input_ids = b.input('input_ids', [1, 3], 'i32');
    const position_ids = b.input('position_ids', [1, 3], 'i32');
    const prompts = b.constant(0, [1, 2, 8]);
    const embeddings = b.constant(0, [1, 3, 8]);
    const extend = (inputs: Partial<Parameters<typeof withVirtualTokens>[1]>) =>
      withVirtualTokens(ctx, { input_ids, position_ids, ...inputs }, prompts, embeddings);
    // two examples in one row: tokens 0-1 and token 2
    const dense = [0, H, H, 0, 0, H, H, H, 0];
    const fromMask = extend({ attention_mask: b.input('mask', [1, 1, 3, 3]) });
    const fromSegments = extend({ segment_ids: b.input('segments', [1, 3], 'i32') });
    expect(fromSegments.segment_ids).toBeUndefined();
    const out = await evaluate(
      b.build({
        a: fromMask.attention_mask as NonNullable<typeof fromMask.attention_mask>,
        b: fromSegments.attention_mask as NonNullable<typeof fromSegments.attention_mask>,
      }),
      {
        mask: HostTensor.from('f32', [1, 1, 3, 3], dense),
        segments: HostTensor.from('i32', [1, 3], [0, 0, 1]),
        input_ids: HostTensor.from('i32', [1, 3], [1, 2, 3]),
        position_ids: HostTensor.from('i32', [1, 3], [0, 1, 0]),
      },
    );
    expect(out.b.shape).toEqual([1, 1, 5, 5]);
    expect(out.b.toArray()).toEqual(out.a.toArray());
  });
});
