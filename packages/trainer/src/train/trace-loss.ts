import {
  GraphBuilder,
  type HostTensor,
  ops,
  type TaskModel,
  type Tensor,
  TraceContext,
  UserError,
} from '@tunekit/core';
import { type ComputeLoss, type ComputeLossWithOutputs, lossAndOutputs } from './causal-lm-loss.js';
import { type MixoutPlan, MixoutTraceContext } from './mixout.js';
import { withNeftune } from './neftune.js';

/** What one compiled step graph is specialised to: the batch shape and whether it is packed. */
export interface StepShape {
  readonly batch: number;
  readonly seq: number;
  /** True for packed batches, which carry `segment_ids` (the graph builds their mask). */
  readonly packed: boolean;
  /** The model head the batch trains (`TrainBatch.head`); absent: the default head. */
  readonly head?: string;
}

export interface LossTraceOptions {
  readonly computeLoss: ComputeLoss | ComputeLossWithOutputs;
  readonly neftuneNoiseAlpha: number | null;
  /** Run the batch twice in one pass (R-Drop): the loss sees logits [2B, T, V]. */
  readonly twoPasses: boolean;
  /** transformers' gradient_checkpointing: the backward recomputes each decoder layer. */
  readonly gradientCheckpointing?: boolean;
  /**
   * Runs a trace with the adapter disabled (PEFT's `disable_adapter()`), for a loss that reads the
   * reference model's logits; absent without an adapter.
   */
  readonly withoutAdapter?: <T>(trace: () => T) => T;
  /** Mixout on the planned weights (their reads become mixout(w; w0, p)); absent: off. */
  readonly mixout?: MixoutPlan;
  /** The loss of each other head by name (a classification task's), for batches that name it. */
  readonly headLosses?: Readonly<Record<string, ComputeLoss>>;
}

/** The f32 scalar input holding the supervised tokens of the accumulation window. */
export const NUM_ITEMS_INPUT = 'num_items_in_batch';

export interface TracedLoss {
  readonly loss: Tensor;
  /** The loss's extra outputs (`LossWithOutputs`), by name. */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /** Host values of the parameters and frozen weights the graph reads, by input name. */
  readonly weights: Record<string, HostTensor>;
}

/**
 * Traces the training loss of `model` for one batch shape: inputs input_ids, position_ids, labels
 * and segment_ids (packed only), i32 [B, T], and num_items_in_batch; dropout,
 * NEFTune and Mixout add their seed inputs (Mixout also its targets, as frozen inputs). Parameters become 'param' or 'frozen' inputs by their flag.
 */
export function traceTrainingLoss(
  model: TaskModel,
  shape: StepShape,
  opts: LossTraceOptions,
): TracedLoss {
  const { batch: B, seq: T } = shape;
  const b = new GraphBuilder();
  const traceOpts = { gradientCheckpointing: opts.gradientCheckpointing };
  const ctx = opts.mixout
    ? new MixoutTraceContext(b, model, traceOpts, opts.mixout)
    : new TraceContext(b, model, traceOpts);
  const labels = b.input('labels', [B, T], 'i32');
  const numItemsInBatch = b.input(NUM_ITEMS_INPUT, [], 'f32');
  let ids = b.input('input_ids', [B, T], 'i32');
  let positions = b.input('position_ids', [B, T], 'i32');
  let segments = shape.packed ? b.input('segment_ids', [B, T], 'i32') : undefined;
  if (opts.twoPasses) {
    // one pass over [2B, T]: every dropout mask and noise draw differs between the two copies
    ids = ops.concat([ids, ids], 0);
    positions = ops.concat([positions, positions], 0);
    segments = segments && ops.concat([segments, segments], 0);
  }
  const computeLoss = lossOfHead(opts, shape);
  // the trunk runs once; only the batch's head projects its hidden states
  const forward = () =>
    model.forward(
      ctx,
      { input_ids: ids, position_ids: positions, segment_ids: segments },
      shape.head,
    );
  const { logits, head } =
    opts.neftuneNoiseAlpha === null
      ? forward()
      : withNeftune(model, opts.neftuneNoiseAlpha, forward);
  const { withoutAdapter } = opts;
  let reference: Tensor | undefined;
  // no NEFTune noise and no adapter dropout: the reference is the plain base model
  const referenceLogits =
    withoutAdapter &&
    (() => {
      reference ??= withoutAdapter(
        () =>
          model.forward(ctx, { input_ids: ids, position_ids: positions, segment_ids: segments })
            .logits,
      );
      return reference;
    });
  const { loss, outputs } = lossAndOutputs(
    computeLoss({ logits, head, labels, numItemsInBatch, referenceLogits }),
  );
  return { loss, outputs, weights: ctx.weights() };
}

/** The loss of the batch's head: the run's own for the default head, else `headLosses`'s. */
function lossOfHead(
  opts: LossTraceOptions,
  shape: StepShape,
): ComputeLoss | ComputeLossWithOutputs {
  if (shape.head === undefined) return opts.computeLoss;
  const loss = opts.headLosses?.[shape.head];
  if (!loss) throw new Error(`no loss is given for head '${shape.head}' (headLosses)`);
  if (opts.twoPasses)
    throw new UserError(
      `rdrop_alpha > 0 compares next-token predictions; head '${shape.head}' has none`,
    );
  return loss;
}
