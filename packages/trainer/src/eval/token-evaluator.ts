import type {
  Backend,
  CausalLM,
  DeviceTensor,
  Executable,
  Feed,
  HostTensor,
  TokenTotals,
} from '@tunekit/core';
import { UserError } from '@tunekit/core';
import type { TrainBatch } from '../data/index.js';
import { type EvalShape, traceTokenMetrics } from './token-metrics-graph.js';

/** What the token metrics read of a batch (a TrainBatch has it). */
export type EvalBatch = Pick<TrainBatch, 'input_ids' | 'labels' | 'position_ids' | 'segment_ids'>;

/**
 * Runs eval batches through a model on a backend and sums the token metrics' statistics. One graph
 * is compiled per batch shape and kept for later passes; each pass uploads the model's current
 * weights once, so a trainer can evaluate the same evaluator after every few steps.
 */
export class TokenEvaluator {
  private readonly executables = new Map<string, Executable>();

  constructor(
    private readonly model: CausalLM,
    private readonly backend: Backend,
  ) {}

  async run(batches: Iterable<EvalBatch> | AsyncIterable<EvalBatch>): Promise<TokenTotals> {
    const weights = new Map<string, DeviceTensor>();
    for (const [name, p] of this.model.namedParameters())
      weights.set(name, this.backend.upload(p.value));
    let lossSum = 0;
    let correct = 0;
    let tokens = 0;
    let index = 0;
    for await (const batch of batches) {
      const executable = this.executable(shapeOf(batch, index++));
      const feeds: Record<string, Feed> = {
        input_ids: batch.input_ids,
        labels: batch.labels,
        position_ids: batch.position_ids,
      };
      if (batch.segment_ids) feeds.segment_ids = batch.segment_ids;
      for (const input of executable.graph.inputs) {
        const w = weights.get(input.name);
        if (w) feeds[input.name] = w;
      }
      const out = await executable.run(feeds);
      lossSum += out.loss_sum.item();
      correct += out.correct.item();
      tokens += out.tokens.item();
    }
    return { lossSum, correct, tokens };
  }

  /** Frees the compiled graphs. */
  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private executable(shape: EvalShape): Executable {
    const key = `${shape.batch}x${shape.seq}${shape.packed ? '+packed' : ''}`;
    let e = this.executables.get(key);
    if (!e) {
      e = this.backend.compile(traceTokenMetrics(this.model, shape));
      this.executables.set(key, e);
    }
    return e;
  }
}

function shapeOf(batch: EvalBatch, index: number): EvalShape {
  const [B, T] = batch.input_ids.shape;
  const expect = (name: string, t: HostTensor | undefined, dtype: string, shape: number[]) => {
    if (t && (t.dtype !== dtype || t.shape.join() !== shape.join()))
      throw new UserError(
        `eval batch ${index}: ${name} is ${t.dtype}[${t.shape.join(', ')}], expected ${dtype}[${shape.join(', ')}]`,
      );
  };
  expect('input_ids', batch.input_ids, 'i32', [B, T]);
  expect('labels', batch.labels, 'i32', [B, T]);
  expect('position_ids', batch.position_ids, 'i32', [B, T]);
  expect('segment_ids', batch.segment_ids, 'i32', [B, T]);
  return { batch: B, seq: T, packed: batch.segment_ids !== undefined };
}
