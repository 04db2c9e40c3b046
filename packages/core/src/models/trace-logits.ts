import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/node.js';
import { TraceContext } from '../nn/trace-context.js';
import { HostTensor } from '../tensor/index.js';
import type { CausalLM } from './causal-lm.js';

export interface TracedLogits {
  /** Inputs `input_ids` and `position_ids` (i32 [batch, seq]) and the weights; output `logits`. */
  readonly graph: Graph;
  /** The feeds for `rows` of token ids; positions default to 0..seq-1 in every row. */
  feeds(
    rows: readonly (readonly number[])[],
    positions?: readonly (readonly number[])[],
  ): Record<string, HostTensor>;
}

/** A causal LM's logits for `batch` rows of `seq` tokens (causal attention, no cache) as a graph. */
export function traceLogits(model: CausalLM, opts: { batch: number; seq: number }): TracedLogits {
  const { batch, seq } = opts;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
  });
  const weights = ctx.weights();
  const graph = b.build({ logits });
  const ids = (name: string, rows: readonly (readonly number[])[]) => {
    if (rows.length !== batch || rows.some((r) => r.length !== seq))
      throw new RangeError(`traceLogits: ${name} must be ${batch} rows of ${seq}`);
    return HostTensor.from('i32', [batch, seq], rows.flat());
  };
  return {
    graph,
    feeds: (rows, positions) => ({
      ...weights,
      input_ids: ids('input_ids', rows),
      position_ids: ids(
        'position_ids',
        positions ?? Array.from({ length: batch }, () => Array.from({ length: seq }, (_, t) => t)),
      ),
    }),
  };
}
