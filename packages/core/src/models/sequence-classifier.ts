import { UserError } from '../errors/index.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs } from './causal-lm.js';
import type { DecoderBody } from './causal-lm-head.js';
import type { HfConfig, ModelFamily } from './model-family.js';
import { refusePrefixAdapters } from './refuse-prefix-adapters.js';

/** transformers' `*ForSequenceClassification` head name; PEFT's SEQ_CLS saves it (`modules_to_save`). */
export const SCORE_HEAD = 'score';

/**
 * transformers' `LlamaForSequenceClassification` (and GPT-2's, Qwen2's...): the family's base model
 * under its `base_model_prefix` and `score`, a Linear [num_labels, hidden] without bias. As in
 * transformers, `score` runs on every position and the caller pools the logits of each sequence's
 * last non-pad token (`logits[arange(B), last]`); tunekit knows padding by position, so the pooled
 * position is where the batch puts the label. `logits` are therefore [B, T, num_labels]; the shape's
 * `vocabSize` is num_labels, and nothing generates from this model.
 */
export class SequenceClassifier extends Module implements CausalLM {
  readonly shape: CausalLM['shape'];

  private constructor(
    private readonly bodyName: string,
    body: DecoderBody,
    hiddenSize: number,
    readonly numLabels: number,
    causalShape: CausalLM['shape'],
  ) {
    super();
    this.addModule(bodyName, body);
    this.addModule(SCORE_HEAD, new Linear(hiddenSize, numLabels));
    this.shape = { ...causalShape, vocabSize: numLabels };
  }

  /**
   * The classifier over `causal`'s base model (its weights shared, its LM head dropped, as
   * transformers drops `lm_head.weight` when a causal checkpoint loads into `*ForSequenceClassification`);
   * `score` starts as transformers initialises it, normal(0, initializer_range), seeded.
   */
  static fromCausalLM(
    causal: CausalLM,
    family: ModelFamily,
    config: HfConfig,
    opts: { readonly numLabels: number; readonly seed?: number },
  ): SequenceClassifier {
    const body = causal.getModule(family.baseModelPrefix) as DecoderBody;
    const hiddenSize = Number(config.hidden_size ?? config.n_embd);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0)
      throw new UserError(`config.json: no hidden_size (or n_embd) to size the ${SCORE_HEAD} head`);
    if (!Number.isInteger(opts.numLabels) || opts.numLabels < 2)
      throw new UserError(`num_labels must be an integer >= 2, got ${opts.numLabels}`);
    const model = new SequenceClassifier(
      family.baseModelPrefix,
      body,
      hiddenSize,
      opts.numLabels,
      causal.shape,
    );
    const std = typeof config.initializer_range === 'number' ? config.initializer_range : 0.02;
    const n = opts.numLabels * hiddenSize;
    const init = randomNormal(n, seededRandom(opts.seed ?? 0)).map((x) => x * std);
    const weight = new Map(model.namedParameters()).get(`${SCORE_HEAD}.weight`);
    if (weight) weight.value = HostTensor.from('f32', [opts.numLabels, hiddenSize], init);
    return model;
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs): CausalLMOutputs {
    refusePrefixAdapters(this);
    const { hidden } = this.sub<DecoderBody>(this.bodyName).forward(ctx, inputs);
    const project = (h: typeof hidden) => this.sub(SCORE_HEAD).forward(ctx, h);
    return { logits: project(hidden), head: { hidden, project } };
  }
}
