import {
  type Backend,
  type DeviceTensor,
  type Executable,
  type Feed,
  type GenerationSample,
  GraphBuilder,
  type MetricValues,
  type TaskModel,
  TraceContext,
} from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import type { TrainBatch } from '../data/index.js';
import { type ClassificationScores, classificationScores } from './classification-metrics.js';

/** One evaluation of a classifier: its scores, and each example's predicted class. */
export interface ClassificationResult {
  readonly loss: number;
  readonly scores: ClassificationScores;
  /** Gold and predicted class ids and the softmax probabilities, in example order. */
  readonly gold: readonly number[];
  readonly predicted: readonly number[];
  readonly probabilities: readonly (readonly number[])[];
}

/**
 * Runs a `SequenceClassifier` over labelled batches: the class logits at each example's labelled
 * position (its last token) come back to the host, where the mean cross-entropy, accuracy,
 * macro-F1 and the confusion matrix are computed. One graph is compiled per batch shape; each
 * pass uploads the current weights once.
 */
export class ClassificationEvaluator {
  private readonly executables = new Map<string, Executable>();

  constructor(
    private readonly model: TaskModel,
    private readonly backend: Backend,
    private readonly numLabels: number,
    /** The model's classification head to run (a multi-head model's); default its first. */
    private readonly head?: string,
  ) {}

  async run(batches: Iterable<TrainBatch>): Promise<ClassificationResult> {
    const weights = new Map<string, DeviceTensor>();
    for (const [name, p] of this.model.namedParameters())
      weights.set(name, this.backend.upload(p.value));
    const gold: number[] = [];
    const predicted: number[] = [];
    const probabilities: number[][] = [];
    let lossSum = 0;
    for (const batch of batches) {
      const executable = this.executable(batch);
      const feeds: Record<string, Feed> = {
        input_ids: batch.input_ids,
        position_ids: batch.position_ids,
      };
      if (batch.segment_ids) feeds.segment_ids = batch.segment_ids;
      for (const input of executable.graph.inputs) {
        const w = weights.get(input.name);
        if (w) feeds[input.name] = w;
      }
      const logits = (await executable.run(feeds)).logits.toFloat64();
      const labels = batch.labels.toFloat64();
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] === IGNORE_INDEX) continue;
        const row = Array.from(logits.subarray(i * this.numLabels, (i + 1) * this.numLabels));
        const p = softmax(row);
        gold.push(labels[i]);
        predicted.push(p.indexOf(Math.max(...p)));
        probabilities.push(p);
        lossSum -= Math.log(p[labels[i]]);
      }
    }
    return {
      loss: lossSum / Math.max(1, gold.length),
      scores: classificationScores(gold, predicted, this.numLabels),
      gold,
      predicted,
      probabilities,
    };
  }

  /** Frees the compiled graphs. */
  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private executable(batch: TrainBatch): Executable {
    const [B, T] = batch.input_ids.shape;
    const packed = batch.segment_ids !== undefined;
    const key = `${B}x${T}${packed ? '+packed' : ''}`;
    let e = this.executables.get(key);
    if (!e) {
      const b = new GraphBuilder();
      const ctx = new TraceContext(b, this.model);
      const { logits } = this.model.forward(
        ctx,
        {
          input_ids: b.input('input_ids', [B, T], 'i32'),
          position_ids: b.input('position_ids', [B, T], 'i32'),
          segment_ids: packed ? b.input('segment_ids', [B, T], 'i32') : undefined,
        },
        this.head,
      );
      e = this.backend.compile(b.build({ logits }));
      this.executables.set(key, e);
    }
    return e;
  }
}

/** A trainer evaluation of a classifier: eval_loss, eval_accuracy, eval_macro_f1 and samples. */
export function classifierEvaluation(
  result: ClassificationResult,
  names: readonly string[],
  texts: readonly string[],
  samples = 16,
): { metrics: MetricValues; samples: GenerationSample[] } {
  return {
    metrics: {
      loss: result.loss,
      accuracy: result.scores.accuracy,
      macro_f1: result.scores.macro_f1,
    },
    samples: result.gold.slice(0, samples).map((g, i) => ({
      prompt: texts[i] ?? '',
      reference: names[g],
      prediction: `${names[result.predicted[i]]} (${result.probabilities[i][result.predicted[i]].toFixed(2)})`,
    })),
  };
}

function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}
