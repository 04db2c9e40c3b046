import {
  type CausalLMShape,
  Embedding,
  isAdapterLayer,
  type Module,
  ops,
  type TaskModel,
  type Tensor,
  type TraceContext,
  UnaryModule,
  UserError,
} from '@tunekit/core';

/** The i32 scalar graph input that seeds NEFTune's noise; fed a fresh value every micro-step. */
export const NEFTUNE_SEED_INPUT = 'neftune_seed';

/**
 * The input embedding with NEFTune noise (Jain et al. 2023, transformers' neftune_post_forward_hook):
 * embeddings + U(-m, m) with m = alpha / sqrt(T * D). It holds the embedding as a field, not a
 * child, so the parameter keeps its name in a TraceContext made before the swap.
 */
class NoisyEmbedding extends UnaryModule {
  constructor(
    private readonly inner: Module,
    private readonly alpha: number,
  ) {
    super();
  }

  forward(ctx: TraceContext, ids: Tensor): Tensor {
    const e = (this.inner as UnaryModule).forward(ctx, ids);
    const [, t, d] = e.shape;
    const magnitude = this.alpha / Math.sqrt(t * d);
    const seed = ctx.b.input(NEFTUNE_SEED_INPUT, [], 'i32');
    const noise = ops
      .randomUniform(seed, e.shape)
      .mul(2 * magnitude)
      .sub(magnitude);
    return e.add(noise.cast(e.dtype));
  }
}

/**
 * Path of the model's input embedding: the shortest-named Embedding with a row per vocabulary
 * entry (the one with the most rows when the model has no LM head to tell the vocabulary), or the
 * adapter layer (modules_to_save) that wraps it.
 */
export function inputEmbeddingPath(model: TaskModel): string {
  const embeddings = model
    .namedModules()
    .filter((entry): entry is [string, Embedding] => entry[1] instanceof Embedding);
  const vocab =
    (model.shape as Partial<CausalLMShape>).vocabSize ??
    Math.max(0, ...embeddings.map(([, m]) => m.numEmbeddings));
  const found = embeddings
    .filter(([, m]) => m.numEmbeddings === vocab)
    .map(([path]) => path)
    .sort((a, b) => a.length - b.length)[0];
  if (found === undefined)
    throw new UserError('neftune_noise_alpha: the model has no input embedding to add noise to');
  let path = found;
  for (let dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.')) {
    const parent = path.slice(0, dot);
    if (!isAdapterLayer(model.getModule(parent))) break;
    path = parent;
  }
  return path;
}

/**
 * Runs `trace` with NEFTune noise on the input embeddings, then puts the embedding back. The
 * TraceContext must already exist (it names parameters by the tree it saw).
 */
export function withNeftune<T>(model: TaskModel, alpha: number, trace: () => T): T {
  const path = inputEmbeddingPath(model);
  const embedding = model.getModule(path);
  model.setModule(path, new NoisyEmbedding(embedding, alpha));
  try {
    return trace();
  } finally {
    model.setModule(path, embedding);
  }
}
