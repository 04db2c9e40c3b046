import {
  Embedding,
  evaluate,
  GraphBuilder,
  HostTensor,
  Linear,
  Module,
  randomNormal,
  type Tensor,
  TraceContext,
  UnaryModule,
} from '@tunekit/core';
import type { PrefixTuningConfig } from './prefix-tuning-config.js';
import type { AppliedPromptLearning } from './prompt-learning-config.js';

/** A prefix-tuning config as applied to a model: the projection's width known too. */
export type AppliedPrefixTuning = AppliedPromptLearning<PrefixTuningConfig> & {
  readonly encoder_hidden_size: number;
};

/**
 * PEFT's `PrefixEncoder`: the prefix of every layer's keys and values as one row per virtual token,
 * [N, num_layers * 2 * token_dim]. Without projection (P-Tuning v2), and whenever the adapter was
 * added for inference, the rows are `embedding.weight` itself; with `prefix_projection` they are
 * `transform(embedding.weight)`, a Linear(token_dim, encoder_hidden_size), tanh,
 * Linear(encoder_hidden_size, num_layers * 2 * token_dim) over [N, token_dim] embeddings. Weights
 * start as torch's: embedding rows normal(0, 1), Linears uniform(±1/sqrt(in_features)); with
 * `init_weights: 'zero'` the last layer (or the table) starts at zero.
 */
export class PrefixEncoder extends Module {
  readonly numVirtualTokens: number;
  /** Whether `transform` runs: projection on and the adapter trainable. */
  readonly projected: boolean;

  constructor(config: AppliedPrefixTuning, random: () => number) {
    super();
    const { num_virtual_tokens: n, token_dim: dim, num_layers: layers } = config;
    const width = layers * 2 * dim;
    const zero = config.init_weights === 'zero';
    this.numVirtualTokens = n;
    this.projected = config.prefix_projection && !config.inference_mode;
    const embedding = this.addModule('embedding', new Embedding(n, this.projected ? dim : width));
    setWeight(embedding, 'weight', zero && !this.projected ? undefined : normal(random));
    if (!this.projected) return;
    const transform = this.addModule(
      'transform',
      new PrefixProjection(dim, config.encoder_hidden_size, width),
    );
    const hidden = config.encoder_hidden_size;
    for (const name of ['weight', 'bias'])
      setWeight(transform.linear('0'), name, uniform(random, dim));
    for (const name of ['weight', 'bias'])
      setWeight(transform.linear('2'), name, zero ? undefined : uniform(random, hidden));
  }

  /** The prefix rows [N, num_layers * 2 * token_dim] (PEFT's `PrefixEncoder.forward` of 0..N-1). */
  forward(ctx: TraceContext): Tensor {
    const n = this.numVirtualTokens;
    const rows = this.sub('embedding').forward(ctx, ctx.b.arange(n));
    if (!this.projected) return rows;
    return this.sub('transform').forward(ctx, rows);
  }

  /**
   * The rows as PEFT saves them (`prompt_embeddings`, from `get_prompt_embedding_to_save`): the
   * table, or with projection its output, evaluated as training traces it.
   */
  async table(): Promise<HostTensor> {
    if (!this.projected) return this.getModule('embedding').namedParameters()[0][1].value;
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, this);
    const rows = this.forward(ctx);
    return (await evaluate(b.build({ rows }), ctx.weights())).rows;
  }
}

/** PEFT's `transform`: torch.nn.Sequential(Linear, Tanh, Linear), so its Linears are `0` and `2`. */
class PrefixProjection extends UnaryModule {
  constructor(dim: number, hidden: number, width: number) {
    super();
    this.addModule('0', new Linear(dim, hidden, true));
    this.addModule('2', new Linear(hidden, width, true));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    return this.sub('2').forward(ctx, this.sub('0').forward(ctx, x).tanh());
  }

  /** Linear `name` ('0' or '2'). */
  linear(name: '0' | '2'): Module {
    return this.sub(name);
  }
}

type Fill = (size: number) => Float64Array;

const normal =
  (random: () => number): Fill =>
  (size) =>
    randomNormal(size, random);

/** torch.nn.Linear's init of weight and bias: uniform(-1/sqrt(in), 1/sqrt(in)). */
const uniform =
  (random: () => number, fanIn: number): Fill =>
  (size) =>
    Float64Array.from({ length: size }, () => (2 * random() - 1) / Math.sqrt(fanIn));

/** Sets a module's parameter `name` to `fill`'s values, or to zeros without one. */
function setWeight(module: Module, name: string, fill: Fill | undefined): void {
  const [, p] = module.namedParameters().find(([path]) => path === name) ?? [];
  if (!p) throw new Error(`no parameter '${name}'`);
  p.value = fill
    ? HostTensor.from('f32', p.shape, fill(p.value.size))
    : HostTensor.zeros('f32', p.shape);
}
