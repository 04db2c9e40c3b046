import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs } from './causal-lm.js';
import type { DecoderBody } from './causal-lm-head.js';
import type { HfConfig, ModelFamily } from './model-family.js';
import { refusePrefixAdapters } from './refuse-prefix-adapters.js';
import { SCORE_HEAD, scoreHead } from './score-head.js';
import { headOf, type ModelHead, type TaskModel, type TrunkShape } from './task-model.js';

export { SCORE_HEAD } from './score-head.js';

/**
 * transformers' `LlamaForSequenceClassification` (and GPT-2's, Qwen2's...): the family's base model
 * under its `base_model_prefix` and `score`, a Linear [num_labels, hidden] without bias. As in
 * transformers, `score` runs on every position and the caller pools the logits of each sequence's
 * last non-pad token (`logits[arange(B), last]`); tunekit knows padding by position, so the pooled
 * position is where the batch puts the label. `logits` are therefore [B, T, num_labels]; nothing
 * generates from this model.
 */
export class SequenceClassifier extends Module implements TaskModel {
  readonly shape: TrunkShape;
  readonly heads: readonly ModelHead[];

  private constructor(
    private readonly bodyName: string,
    body: DecoderBody,
    score: Module,
    readonly numLabels: number,
    trunkShape: TrunkShape,
  ) {
    super();
    this.addModule(bodyName, body);
    this.addModule(SCORE_HEAD, score);
    const { numLayers, numKeyValueHeads, headDim, maxPositions } = trunkShape;
    this.shape = { numLayers, numKeyValueHeads, headDim, maxPositions };
    this.heads = [{ name: SCORE_HEAD, size: numLabels }];
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
    const score = scoreHead(config, opts);
    return new SequenceClassifier(
      family.baseModelPrefix,
      body,
      score,
      opts.numLabels,
      causal.shape,
    );
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs {
    if (head !== undefined) headOf(this, head);
    refusePrefixAdapters(this);
    const { hidden } = this.sub<DecoderBody>(this.bodyName).forward(ctx, inputs);
    const project = (h: typeof hidden) => this.sub(SCORE_HEAD).forward(ctx, h);
    return { logits: project(hidden), head: { hidden, project } };
  }
}
