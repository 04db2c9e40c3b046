import {
  type CausalLM,
  type Graph,
  GraphBuilder,
  ops,
  TraceContext,
  UserError,
} from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';

/** The batch shape one compiled graph serves; packed batches add their segment ids. */
export interface EvalShape {
  readonly batch: number;
  readonly seq: number;
  readonly packed: boolean;
}

/** The graph's inputs besides the weights: a TrainBatch's tensors. */
const BATCH_INPUTS = new Set(['input_ids', 'labels', 'position_ids', 'segment_ids']);

/**
 * The eval forward pass of one batch shape as a graph. Inputs input_ids, labels (unshifted, -100
 * where no loss) and position_ids, i32 [B, T], and for packed batches segment_ids i32 [B, T];
 * the weights are inputs named by their module paths. Three f32 scalars come out,
 * the only values that leave the device: `loss_sum`, the cross-entropy summed over supervised
 * next-token predictions (the logits at t score the label at t + 1); `correct`, those whose
 * argmax is the label; `tokens`, their count.
 */
export function traceTokenMetrics(model: CausalLM, shape: EvalShape): Graph {
  const { batch: B, seq: T } = shape;
  if (T < 2) throw new UserError(`token metrics need sequences of at least 2 tokens, got ${T}`);
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const input_ids = b.input('input_ids', [B, T], 'i32');
  const labels = b.input('labels', [B, T], 'i32');
  const position_ids = b.input('position_ids', [B, T], 'i32');
  const segment_ids = shape.packed ? b.input('segment_ids', [B, T], 'i32') : undefined;
  const { logits } = model.forward(ctx, { input_ids, position_ids, segment_ids });
  const V = logits.dim(-1);
  const predicting = logits.narrow(1, 0, T - 1).reshape([B * (T - 1), V]);
  const targets = labels.narrow(1, 1, T).reshape([B * (T - 1)]);
  const loss_sum = ops.crossEntropy(predicting, targets, {
    ignore_index: IGNORE_INDEX,
    reduction: 'sum',
  });
  // argmax is never IGNORE_INDEX, so unsupervised positions never count as correct
  const correct = predicting.argmax(-1).equal(targets).cast('f32').sum();
  const tokens = targets.equal(IGNORE_INDEX).cast('f32').neg().add(1).sum();
  const extra = b
    .graphInputs()
    .filter((input) => input.role === 'data' && !BATCH_INPUTS.has(input.name));
  if (extra.length > 0)
    throw new UserError(
      `evaluation traced the model with training-only inputs (${extra.map((i) => i.name).join(', ')}): switch dropout off first (PeftModel.train(false))`,
    );
  return b.build({ loss_sum, correct, tokens });
}
