import {
  type Backend,
  type CausalLM,
  type DeviceTensor,
  type Executable,
  type Feed,
  GraphBuilder,
  type HostTensor,
  type PeftModel,
  type Tensor,
  TraceContext,
  UserError,
} from '@tunekit/core';
import type { BatchPlan, TrainBatch } from '../data/index.js';
import {
  type ComputeLossWithOutputs,
  lossAndOutputs,
  NUM_ITEMS_INPUT,
  withoutAdapter,
} from '../train/index.js';

/** What one forward-only graph brings back for one batch shape, by output name. */
export type TraceOutputs = (
  ctx: TraceContext,
  inputs: { input_ids: Tensor; position_ids: Tensor; labels: Tensor },
) => Record<string, Tensor>;

/** The inputs a preference batch feeds by name; any other data input would be training-only. */
const BATCH_INPUTS = new Set(['input_ids', 'position_ids', 'labels']);

/**
 * Runs preference batches forward on a backend, no gradient: one graph per batch shape, traced by
 * `trace` and kept compiled across passes. Each pass uploads the model's current weights once, so a
 * trainer can evaluate after every few steps with the weights it has reached.
 */
export class PairForward {
  private readonly executables = new Map<string, Executable>();

  constructor(
    private readonly model: CausalLM,
    private readonly backend: Backend,
    private readonly trace: TraceOutputs,
    /** Extra data inputs the graphs may read (`num_items_in_batch`, `ref_logps`). */
    private readonly extraInputs: readonly string[] = [],
  ) {}

  /** Calls `each` with every batch and its outputs, in plan order. */
  async run(
    batches: BatchPlan,
    each: (batch: TrainBatch, out: Readonly<Record<string, HostTensor>>) => void,
    extraFeeds: Readonly<Record<string, HostTensor>> = {},
  ): Promise<void> {
    const weights = new Map<string, DeviceTensor>();
    for (const [name, p] of this.model.namedParameters())
      weights.set(name, this.backend.upload(p.value));
    for (const batch of batches) {
      const executable = this.executable(batch);
      const feeds: Record<string, Feed> = {
        input_ids: batch.input_ids,
        position_ids: batch.position_ids,
        labels: batch.labels,
        ...extraFeeds,
        ...batch.lossInputs,
      };
      for (const input of executable.graph.inputs) {
        const w = weights.get(input.name);
        if (w) feeds[input.name] = w;
      }
      each(batch, await executable.run(feeds));
    }
  }

  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private executable(batch: TrainBatch): Executable {
    const [B, T] = batch.input_ids.shape;
    const key = `${B}x${T}`;
    let e = this.executables.get(key);
    if (!e) {
      const b = new GraphBuilder();
      const ctx = new TraceContext(b, this.model);
      const inputs = {
        input_ids: b.input('input_ids', [B, T], 'i32'),
        position_ids: b.input('position_ids', [B, T], 'i32'),
        labels: b.input('labels', [B, T], 'i32'),
      };
      const outputs = this.trace(ctx, inputs);
      const extra = b
        .graphInputs()
        .filter(
          (i) =>
            i.role === 'data' && !BATCH_INPUTS.has(i.name) && !this.extraInputs.includes(i.name),
        );
      if (extra.length > 0)
        throw new UserError(
          `a preference forward pass traced training-only inputs (${extra.map((i) => i.name).join(', ')}): switch dropout off first (PeftModel.train(false))`,
        );
      e = this.backend.compile(b.build(outputs));
      this.executables.set(key, e);
    }
    return e;
  }
}

/**
 * The loss graph of training run forward only, for an evaluator: the loss and its outputs per
 * batch, the reference being the base with `peft`'s adapter disabled in the same graph (or the
 * precomputed log-probs among `lossInputs`, the loss's own inputs besides num_items_in_batch).
 */
export function lossForward(opts: {
  readonly model: CausalLM;
  readonly backend: Backend;
  readonly peft?: PeftModel;
  readonly computeLoss: ComputeLossWithOutputs;
  readonly lossInputs: readonly string[];
}): PairForward {
  const { model, peft } = opts;
  return new PairForward(
    model,
    opts.backend,
    (ctx, { input_ids, position_ids, labels }) => {
      const forward = () => model.forward(ctx, { input_ids, position_ids }).logits;
      const numItemsInBatch = labels.builder.input(NUM_ITEMS_INPUT, [], 'f32');
      const { loss, outputs } = lossAndOutputs(
        opts.computeLoss({
          logits: forward(),
          labels,
          numItemsInBatch,
          referenceLogits: peft && (() => withoutAdapter(peft)(forward)),
        }),
      );
      return { loss, ...outputs };
    },
    [NUM_ITEMS_INPUT, ...opts.lossInputs],
  );
}
