import {
  adamw,
  type Backend,
  buildTrainStep,
  type CausalLM,
  GraphBuilder,
  HostTensor,
  type PeftModel,
  seededRandom,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { causalLmLoss, IGNORE_INDEX, lrFactor } from '@tunekit/trainer';
import type { Example } from './data.js';

export interface FinetuneOptions {
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Every batch is padded to this many tokens, so one step graph compiles. */
  readonly maxLength: number;
  /** Linear decay after this many warm-up steps, as transformers' `linear` schedule. */
  readonly warmupSteps: number;
  readonly seed: number;
  /** Called after each step with its 1-based number and loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

/**
 * Trains the adapter of `peft` on `examples`: one compiled step (forward, backward, AdamW) run on
 * `backend` per batch, batches drawn in a seeded random order. The trained weights are copied back
 * into the model's parameters, so it can chat and be saved. Returns each step's loss.
 */
export async function finetune(
  peft: PeftModel<CausalLM>,
  backend: Backend,
  examples: readonly Example[],
  opts: FinetuneOptions,
): Promise<number[]> {
  const { batchSize: B, maxLength: T } = opts;
  const model = peft.model;
  peft.train();
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits, head } = model.forward(ctx, {
    input_ids: b.input('input_ids', [B, T], 'i32'),
    position_ids: b.input('position_ids', [B, T], 'i32'),
  });
  const loss = causalLmLoss()({
    logits,
    head,
    labels: b.input('labels', [B, T], 'i32'),
    numItemsInBatch: b.input('num_items_in_batch', [], 'f32'),
  });
  const step = buildTrainStep(loss, {
    optimizer: adamw(),
    groups: [{ lr: opts.learningRate, weight_decay: 0 }],
    maxGradNorm: 1,
  });
  const runner = TrainStepRunner.create(backend, step, ctx.weights());
  const schedule = {
    type: 'linear',
    warmupSteps: opts.warmupSteps,
    totalSteps: opts.steps,
  } as const;
  const order = batchOrder(examples.length, B, seededRandom(opts.seed));
  const losses: number[] = [];
  try {
    for (let s = 0; s < opts.steps; s++) {
      const feeds = collate(order.next().value, examples, T);
      if (step.graph.inputs.some((i) => i.name === 'dropout_seed'))
        feeds.dropout_seed = HostTensor.scalar('i32', opts.seed * 100_003 + s);
      const lr = opts.learningRate * lrFactor(schedule, s);
      const { loss: value } = await runner.run(feeds, [lr]);
      losses.push(value);
      opts.onStep?.(s + 1, value);
    }
    const trained = await runner.params();
    for (const [name, p] of model.namedParameters())
      if (p.trainable && trained[name]) p.value = trained[name];
  } finally {
    runner.dispose();
    peft.train(false);
  }
  return losses;
}

/** Endless batches of example indices: a fresh seeded shuffle each epoch, the last short batch dropped. */
function* batchOrder(n: number, size: number, random: () => number): Generator<number[], never> {
  for (;;) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let i = 0; i + size <= n; i += size) yield order.slice(i, i + size);
  }
}

/** One right-padded batch: pad tokens carry label -100, so padding is masked by position, not id. */
function collate(
  rows: readonly number[],
  examples: readonly Example[],
  T: number,
): Record<string, HostTensor> {
  const ids = new Int32Array(rows.length * T);
  const labels = new Int32Array(rows.length * T).fill(IGNORE_INDEX);
  const positions = new Int32Array(rows.length * T);
  let supervised = 0;
  rows.forEach((r, row) => {
    const ex = examples[r];
    for (let t = 0; t < T; t++) positions[row * T + t] = t;
    ex.input_ids.slice(0, T).forEach((id, t) => {
      ids[row * T + t] = id;
      labels[row * T + t] = ex.labels[t];
      if (t > 0 && ex.labels[t] !== IGNORE_INDEX) supervised++; // labels[1:] carry the loss
    });
  });
  const shape = [rows.length, T];
  return {
    input_ids: new HostTensor('i32', shape, ids),
    labels: new HostTensor('i32', shape, labels),
    position_ids: new HostTensor('i32', shape, positions),
    num_items_in_batch: HostTensor.scalar('f32', Math.max(1, supervised)),
  };
}
