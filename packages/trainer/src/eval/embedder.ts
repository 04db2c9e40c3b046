import {
  type Backend,
  type DeviceTensor,
  type Executable,
  type Feed,
  GraphBuilder,
  poolEmbeddings,
  type TaskModel,
  TraceContext,
} from '@tunekit/core';
import { bucketFor, collate, type Example } from '../data/index.js';

/**
 * Embeds texts with an `EmbeddingModel`: Examples (token ids, and labels marking the tokens the
 * pooling reads) in batches of `batchSize` rows padded to a bucket length; the normalised
 * embeddings come back to the host. One graph per batch shape; each call uploads the weights once.
 */
export class Embedder {
  private readonly executables = new Map<number, Executable>();

  constructor(
    private readonly model: TaskModel,
    private readonly backend: Backend,
    private readonly opts: {
      readonly batchSize: number;
      readonly bucketLengths: readonly number[];
      readonly padTokenId: number;
    },
  ) {}

  async embed(texts: readonly Example[]): Promise<Float32Array[]> {
    const weights = new Map<string, DeviceTensor>();
    for (const [name, p] of this.model.namedParameters())
      weights.set(name, this.backend.upload(p.value));
    const { batchSize, bucketLengths, padTokenId } = this.opts;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const ids = texts.map((_, i) => i).slice(start, start + batchSize);
      const longest = Math.max(...ids.map((i) => texts[i].input_ids.length));
      const length = bucketFor(longest, bucketLengths);
      const batch = collate({ rows: ids.map((i) => [i]), length }, texts, {
        batchSize,
        padTokenId,
        packed: false,
      });
      const executable = this.executable(length);
      const feeds: Record<string, Feed> = {
        input_ids: batch.input_ids,
        position_ids: batch.position_ids,
        labels: batch.labels,
      };
      for (const input of executable.graph.inputs) {
        const w = weights.get(input.name);
        if (w) feeds[input.name] = w;
      }
      const embeddings = (await executable.run(feeds)).embeddings;
      const hidden = embeddings.shape[1];
      const values = Float32Array.from(embeddings.toFloat64());
      for (let r = 0; r < ids.length; r++) out.push(values.slice(r * hidden, (r + 1) * hidden));
    }
    return out;
  }

  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private executable(seq: number): Executable {
    let e = this.executables.get(seq);
    if (!e) {
      const B = this.opts.batchSize;
      const b = new GraphBuilder();
      const ctx = new TraceContext(b, this.model);
      const { logits } = this.model.forward(ctx, {
        input_ids: b.input('input_ids', [B, seq], 'i32'),
        position_ids: b.input('position_ids', [B, seq], 'i32'),
      });
      const labels = b.input('labels', [B, seq], 'i32');
      e = this.backend.compile(b.build({ embeddings: poolEmbeddings(logits, labels) }));
      this.executables.set(seq, e);
    }
    return e;
  }
}
