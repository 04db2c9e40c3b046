import {
  buildCausalLM,
  type CausalLM,
  evaluate,
  GraphBuilder,
  HostTensor,
  ops,
  randomNormal,
  seededRandom,
  TraceContext,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { loadSftData, type TrainBatch } from '../src/index.js';
import { chatmlTokenizer, DATA, dataContainer } from './data-helpers.js';

/** A two-layer Llama over the fixture tokenizer's 275 ids, weights drawn with a seed. */
function tinyLlama(): CausalLM {
  const { model } = buildCausalLM({
    model_type: 'llama',
    vocab_size: 275,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 256,
  });
  const random = seededRandom(5);
  for (const [name, p] of model.namedParameters()) {
    const noise = randomNormal(p.value.size, random).map((v) => 0.3 * v);
    p.value = HostTensor.from(
      'f32',
      p.shape,
      name.endsWith('norm.weight') ? noise.map((v) => 1 + v) : noise,
    );
  }
  return model;
}

/**
 * The summed cross-entropy of a batch, as a trainer computes it before dividing by
 * `supervisedTokens`: logits at t against labels at t + 1, -100 ignored. Run on the reference
 * backend with the batch's positions and (when packed) its segment ids.
 */
async function lossSum(
  model: CausalLM,
  batch: TrainBatch,
  feeds: Partial<TrainBatch> = {},
): Promise<number> {
  const [B, T] = batch.input_ids.shape;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const segments = 'segment_ids' in feeds ? feeds.segment_ids : batch.segment_ids;
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [B, T], 'i32'),
    position_ids: b.input('position_ids', [B, T], 'i32'),
    segment_ids: segments && b.input('segment_ids', [B, T], 'i32'),
  });
  const V = logits.dim(-1);
  const predicted = logits.slice([0, 0, 0], [B, T - 1, V]).reshape([B * (T - 1), V]);
  const targets = b
    .input('labels', [B, T], 'i32')
    .slice([0, 1], [B, T])
    .reshape([B * (T - 1)]);
  const loss = ops.crossEntropy(predicted, targets, { reduction: 'sum' });
  const out = await evaluate(b.build({ loss }), {
    ...ctx.weights(),
    input_ids: batch.input_ids,
    labels: batch.labels,
    position_ids: feeds.position_ids ?? batch.position_ids,
    ...(segments === undefined ? {} : { segment_ids: segments }),
  });
  return out.loss.item();
}

describe('packing', () => {
  it('gives the loss of the same examples unpacked: the mean over every supervised token', async () => {
    const model = tinyLlama();
    const load = async (packing: boolean) =>
      loadSftData(
        {
          train: ['prompt-completion.jsonl', 'text.jsonl', 'alpaca-history.jsonl'],
          template: 'chatml',
          max_length: 128,
          bucket_lengths: [64, 128],
          per_device_train_batch_size: 2,
          packing,
        },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir: DATA },
      );
    const mean = async (batches: Iterable<TrainBatch>) => {
      let sum = 0;
      let tokens = 0;
      for (const batch of batches) {
        sum += await lossSum(model, batch);
        tokens += batch.supervisedTokens;
      }
      return { loss: sum / tokens, tokens };
    };
    const unpacked = [...(await load(false)).train(0)];
    const packed = [...(await load(true)).train(0)];
    expect(packed.length).toBeLessThan(unpacked.length);
    expect(packed.flatMap((b) => b.examples).sort()).toEqual(
      unpacked.flatMap((b) => b.examples).sort(),
    );
    const a = await mean(unpacked);
    const b = await mean(packed);
    expect(b.tokens).toBe(a.tokens);
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-6); // 2.3e-7 in f32

    // Without segment ids (the block-diagonal mask) and restarted positions, examples see each other.
    const row = packed.find(
      (batch) => batch.examples.length > batch.input_ids.shape[0],
    ) as TrainBatch;
    const [B, T] = row.input_ids.shape;
    const naive = await lossSum(model, row, {
      segment_ids: undefined,
      position_ids: HostTensor.from(
        'i32',
        [B, T],
        Array.from({ length: B * T }, (_, i) => i % T),
      ),
    });
    expect(Math.abs(naive - (await lossSum(model, row)))).toBeGreaterThan(1e-3);
  });
});
