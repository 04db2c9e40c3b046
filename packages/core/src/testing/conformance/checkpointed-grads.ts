import { grad } from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import { GraphBuilder } from '../../graph/builder.js';
import { ops } from '../../graph/functional.js';
import type { Graph } from '../../graph/node.js';
import type { Tensor } from '../../graph/tensor.js';
import { buildCausalLM } from '../../models/index.js';
import { TraceContext } from '../../nn/index.js';
import { HostTensor, randomNormal, seededRandom } from '../../tensor/index.js';

/** A 3-layer Llama (hidden 16, 4 heads over 2 key/value heads) for checkpointing checks. */
export const CHECKPOINT_LLAMA = Object.freeze({
  model_type: 'llama',
  vocab_size: 24,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  num_key_value_heads: 2,
});

/**
 * The cross-entropy loss of a seeded random Llama on one batch (default [2, 6]) and its gradients for every
 * weight, as one graph (outputs `loss` and `grad.<weight>`) with its feeds; with
 * `gradientCheckpointing`, each decoder layer is recomputed in the backward pass.
 */
export function causalLmGradGraph(
  config: Record<string, unknown>,
  gradientCheckpointing: boolean,
  batch: { batch: number; seq: number } = { batch: 2, seq: 6 },
): { graph: Graph; feeds: Record<string, HostTensor> } {
  const [B, T] = [batch.batch, batch.seq];
  const vocab = config.vocab_size as number;
  const { model } = buildCausalLM(config);
  const random = seededRandom(7);
  for (const [, p] of model.namedParameters()) {
    p.value = HostTensor.from(
      'f32',
      p.shape,
      randomNormal(p.value.size, random).map((v) => v * 0.3),
    );
  }
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model, { gradientCheckpointing });
  const ids = b.input('input_ids', [B, T], 'i32');
  const { logits } = model.forward(ctx, {
    input_ids: ids,
    position_ids: b.input('position_ids', [B, T], 'i32'),
  });
  const labels = b.input('labels', [B * T], 'i32');
  const loss = ops.crossEntropy(logits.reshape([B * T, vocab]), labels);
  const weights = ctx.weights();
  const params = b.graphInputs().filter((i) => i.name in weights);
  const grads = grad(
    loss,
    params.map((i) => b.tensorOf(i.node)),
  );
  const outputs: Record<string, Tensor> = { loss };
  params.forEach((input, k) => {
    const g = grads[k];
    if (g) outputs[`grad.${input.name}`] = g;
  });
  const tokens = Array.from({ length: B * T }, () => Math.floor(random() * vocab));
  return {
    graph: b.build(outputs),
    feeds: {
      ...weights,
      input_ids: HostTensor.from('i32', [B, T], tokens),
      position_ids: HostTensor.from(
        'i32',
        [B, T],
        tokens.map((_, i) => i % T),
      ),
      labels: HostTensor.from('i32', [B * T], [...tokens.slice(1), -100]),
    },
  };
}

/** The loss and gradients of `causalLmGradGraph` on `backend`, as host tensors by output name. */
export async function runCausalLmGrads(
  backend: Backend,
  gradientCheckpointing: boolean,
  config: Record<string, unknown> = CHECKPOINT_LLAMA,
): Promise<Record<string, HostTensor>> {
  const { graph, feeds } = causalLmGradGraph(config, gradientCheckpointing);
  return backend.compile(graph).run(feeds);
}
