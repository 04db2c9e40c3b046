import { type CausalLM, GraphBuilder, ops, type Tensor, TraceContext } from '@tunekit/core';

export interface NextTokenLoss {
  readonly loss: Tensor;
  readonly ctx: TraceContext;
}

/**
 * The mean next-token cross-entropy of a causal LM over `batch` rows of `seq` tokens, traced as a
 * graph with inputs `input_ids`, `position_ids` (i32 [batch, seq]) and `labels` (i32 [batch * seq],
 * already shifted: the token that follows each input token, -100 where no loss is taken).
 */
export function traceNextTokenLoss(
  model: CausalLM,
  opts: { batch: number; seq: number },
): NextTokenLoss {
  const { batch, seq } = opts;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
  });
  const labels = b.input('labels', [batch * seq], 'i32');
  const loss = ops.crossEntropy(logits.reshape([batch * seq, model.shape.vocabSize]), labels);
  return { loss, ctx };
}
