import type { Backend, TaskModel } from '@tunekit/core';
import type { EmbeddingData } from '../data/index.js';
import { Embedder, evaluateRetrieval } from '../eval/index.js';
import type { TrainerEvaluation } from '../train/index.js';

/**
 * The evaluation of an embedding model on the eval pairs, as the Trainer calls it: every eval query
 * against the corpus of all eval documents; loss (InfoNCE over the corpus), recall@1/5/10 and MRR.
 */
export class EmbeddingEvaluation {
  private readonly embedder: Embedder;

  constructor(
    model: TaskModel,
    backend: Backend,
    private readonly data: EmbeddingData,
    private readonly opts: {
      readonly batchSize: number;
      readonly padTokenId: number;
      readonly temperature: number;
    },
  ) {
    this.embedder = new Embedder(model, backend, {
      batchSize: opts.batchSize,
      bucketLengths: data.bucketLengths,
      padTokenId: opts.padTokenId,
    });
  }

  async evaluate(): Promise<TrainerEvaluation> {
    const { data } = this;
    const { metrics } = await evaluateRetrieval(
      this.embedder,
      data.evalTexts,
      data.evalPairs,
      this.opts.temperature,
    );
    return { metrics };
  }

  dispose(): void {
    this.embedder.dispose();
  }
}
