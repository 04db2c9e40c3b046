import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { randomModel, runModel } from './test-utils.js';
import { traceLogits } from './trace-logits.js';

describe('traceLogits', () => {
  it('traces the logits graph and builds its feeds from token ids', async () => {
    const model = randomModel({
      model_type: 'gpt2',
      vocab_size: 9,
      n_positions: 8,
      n_embd: 4,
      n_layer: 1,
      n_head: 1,
    });
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const traced = traceLogits(model, { batch: 2, seq: 3 });
    expect(traced.graph.inputs.slice(0, 2).map((i) => i.name)).toEqual([
      'input_ids',
      'position_ids',
    ]);
    const out = await evaluate(traced.graph, traced.feeds(rows));
    expect(out.logits.toArray()).toEqual((await runModel(model, { ids: rows })).logits.toArray());
    const shifted = await evaluate(
      traced.graph,
      traced.feeds(rows, [
        [2, 3, 4],
        [2, 3, 4],
      ]),
    );
    expect(shifted.logits.toArray()).not.toEqual(out.logits.toArray());
    expect(() => traced.feeds([[1, 2, 3]])).toThrow('input_ids must be 2 rows of 3');
  });
});
