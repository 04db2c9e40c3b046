import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { Conv1D } from './conv1d.js';
import { TraceContext } from './trace-context.js';

describe('Conv1D', () => {
  it('stores weight [in, out] and computes x W + b, as HF pytorch_utils.Conv1D', async () => {
    const conv = new Conv1D(2, 3);
    expect(conv.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['weight', [2, 3]],
      ['bias', [3]],
    ]);
    conv.loadStateDict(
      new Map([
        ['weight', HostTensor.from('f32', [2, 3], [1, 2, 3, 4, 5, 6])],
        ['bias', HostTensor.from('f32', [3], [0.5, 0, -0.5])],
      ]),
    );
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, conv);
    const y = conv.forward(ctx, b.input('x', [1, 2]));
    const out = await evaluate(b.build({ y }), {
      x: HostTensor.from('f32', [1, 2], [1, 10]),
      ...ctx.weights(),
    });
    // [1, 10] @ [[1, 2, 3], [4, 5, 6]] = [41, 52, 63]
    expect(out.y.toArray()).toEqual([41.5, 52, 62.5]);
  });
});
