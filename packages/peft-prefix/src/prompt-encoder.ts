import {
  dropoutSeed,
  Embedding,
  evaluate,
  GraphBuilder,
  HostTensor,
  Linear,
  Module,
  ops,
  Parameter,
  randomNormal,
  type Tensor,
  TraceContext,
  UnaryModule,
} from '@tunekit/core';
import type { PTuningConfig } from './p-tuning-config.js';
import type { AppliedPromptLearning } from './prompt-learning-config.js';

/** A P-tuning config as applied to a model: every size known. */
export type AppliedPTuning = AppliedPromptLearning<PTuningConfig>;

/**
 * PEFT's `PromptEncoder` (P-tuning, Liu et al. 2021): the virtual tokens' embeddings are
 * `mlp_head(embedding(indices))` with an MLP Linear(token_dim, h), ReLU, Linear(h, h), ReLU,
 * Linear(h, token_dim), or with LSTM `mlp_head(lstm_head(embedding(indices)))`: a bidirectional
 * `encoder_num_layers`-layer LSTM of width h, then Linear(2h, 2h), ReLU, Linear(2h, token_dim).
 * Added for inference it is the embedding alone (PEFT builds no head then: the saved table is the
 * head's output). Weights start as torch's: embedding normal(0, 1), Linear uniform(±1/sqrt(in)),
 * LSTM uniform(±1/sqrt(h)).
 */
export class PromptEncoder extends Module {
  readonly numVirtualTokens: number;
  private readonly dim: number;
  private readonly head?: 'MLP' | 'LSTM';

  constructor(config: AppliedPTuning, hidden: number | null, random: () => number) {
    super();
    const { token_dim: dim } = config;
    const rows = config.num_virtual_tokens * config.num_transformer_submodules;
    this.numVirtualTokens = rows;
    this.dim = dim;
    const embedding = this.addModule('embedding', new Embedding(rows, dim));
    fill(embedding, () => (size) => randomNormal(size, random));
    if (config.inference_mode || hidden === null) return;
    this.head = config.encoder_reparameterization_type;
    const uniform = (fanIn: number) => (size: number) =>
      Float64Array.from({ length: size }, () => (2 * random() - 1) / Math.sqrt(fanIn));
    if (this.head === 'LSTM') {
      const lstm = this.addModule(
        'lstm_head',
        new BidirectionalLstm(dim, hidden, config.encoder_num_layers, config.encoder_dropout),
      );
      fill(lstm, () => uniform(hidden));
    }
    const widths =
      this.head === 'LSTM' ? [2 * hidden, 2 * hidden, dim] : [dim, hidden, hidden, dim];
    const mlp = this.addModule('mlp_head', new ReluMlp(widths));
    fill(mlp, (path) => uniform(mlp.inFeatures(path)));
  }

  /** The virtual tokens' embeddings of `indices` [B, N] -> [B, N, token_dim]; dropout only while `training`. */
  encode(ctx: TraceContext, indices: Tensor, training: boolean): Tensor {
    const input = this.sub('embedding').forward(ctx, indices);
    if (this.head === undefined) return input;
    const mlp = this.sub('mlp_head');
    if (this.head === 'MLP') return mlp.forward(ctx, input);
    return mlp.forward(ctx, this.sub<BidirectionalLstm>('lstm_head').encode(ctx, input, training));
  }

  /**
   * PEFT's `get_prompt_embedding_to_save`: the embeddings of 0..N-1 [N, token_dim] as the encoder
   * gives them in evaluation mode, which is what PEFT saves as `prompt_embeddings`.
   */
  async savedTable(): Promise<HostTensor> {
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, this);
    const n = this.numVirtualTokens;
    const rows = this.encode(ctx, b.arange(n).unsqueeze(0), false).reshape([n, this.dim]);
    return (await evaluate(b.build({ rows }), ctx.weights())).rows;
  }
}

/** torch.nn.Sequential of Linears with ReLU between them: children '0', '2', '4' as PEFT names them. */
class ReluMlp extends UnaryModule {
  private readonly count: number;

  constructor(widths: readonly number[]) {
    super();
    this.count = widths.length - 1;
    for (let i = 0; i < this.count; i++)
      this.addModule(String(2 * i), new Linear(widths[i], widths[i + 1], true));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.count; i++)
      y = this.sub(String(2 * i)).forward(ctx, i > 0 ? y.relu() : y);
    return y;
  }

  /** in_features of the Linear that holds parameter `path` ('2.weight'). */
  inFeatures(path: string): number {
    return (this.sub(path.split('.')[0]) as unknown as Linear).inFeatures;
  }
}

/**
 * torch.nn.LSTM(bidirectional=True, batch_first=True) unrolled over the N virtual tokens, with
 * torch's parameter names (`weight_ih_l0`, `weight_hh_l0_reverse`, ...) and gate order i, f, g, o:
 * c' = f c + i g, h' = o tanh(c'); each layer's output is [forward h, backward h] [B, N, 2h], with
 * dropout on it between layers while training.
 */
class BidirectionalLstm extends Module {
  constructor(
    inputSize: number,
    private readonly hidden: number,
    private readonly numLayers: number,
    private readonly dropout: number,
  ) {
    super();
    for (let l = 0; l < numLayers; l++)
      for (const suffix of ['', '_reverse']) {
        const input = l === 0 ? inputSize : 2 * hidden;
        this.addParameter(`weight_ih_l${l}${suffix}`, Parameter.zeros([4 * hidden, input]));
        this.addParameter(`weight_hh_l${l}${suffix}`, Parameter.zeros([4 * hidden, hidden]));
        this.addParameter(`bias_ih_l${l}${suffix}`, Parameter.zeros([4 * hidden]));
        this.addParameter(`bias_hh_l${l}${suffix}`, Parameter.zeros([4 * hidden]));
      }
  }

  encode(ctx: TraceContext, x: Tensor, training: boolean): Tensor {
    let y = x;
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && training && this.dropout > 0)
        // a salt of its own, so these masks differ from LoRA's and from the other layers'
        y = ops.dropout(y, dropoutSeed(ctx.b, 7919 + l), this.dropout);
      y = ops.concat(
        [this.direction(ctx, y, `l${l}`, false), this.direction(ctx, y, `l${l}_reverse`, true)],
        2,
      );
    }
    return y;
  }

  /** One direction of one layer over x [B, N, in] -> [B, N, h]. */
  private direction(ctx: TraceContext, x: Tensor, name: string, reverse: boolean): Tensor {
    const [batch, n] = x.shape;
    const h = this.hidden;
    const w = (p: string) => ctx.tensor(this.weight(`${p}_${name}`));
    // x_t W_ih^T + b_ih + b_hh for every t at once; h_{t-1} W_hh^T inside the loop
    const xs = x.matmul(w('weight_ih').transpose()).add(w('bias_ih')).add(w('bias_hh'));
    const whh = w('weight_hh').transpose();
    let hPrev = ctx.b.constant(0, [batch, h]);
    let cPrev = ctx.b.constant(0, [batch, h]);
    const outputs: Tensor[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const t = reverse ? n - 1 - k : k;
      const gates = xs
        .narrow(1, t, t + 1)
        .reshape([batch, 4 * h])
        .add(hPrev.matmul(whh));
      const gate = (i: number) => gates.narrow(1, i * h, (i + 1) * h);
      cPrev = gate(1)
        .sigmoid()
        .mul(cPrev)
        .add(gate(0).sigmoid().mul(gate(2).tanh()));
      hPrev = gate(3).sigmoid().mul(cPrev.tanh());
      outputs[t] = hPrev.unsqueeze(1);
    }
    return ops.concat(outputs, 1);
  }
}

/** Sets every parameter of `module` to values drawn by the fill `init(path)` gives for it. */
function fill(module: Module, init: (path: string) => (size: number) => Float64Array): void {
  for (const [path, p] of module.namedParameters())
    p.value = HostTensor.from('f32', p.shape, init(path)(p.value.size));
}
