import {
  evaluate,
  GraphBuilder,
  grad,
  HostTensor,
  ReferenceBackend,
  type Tensor,
  TraceContext,
  type UnaryModule,
  UserError,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { causalLmLoss, rdropLoss } from './causal-lm-loss.js';
import { inputEmbeddingPath, NEFTUNE_SEED_INPUT, withNeftune } from './neftune.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  testArgs,
  tinyLlama,
  tinyLora,
} from './test-utils.js';
import { Trainer } from './trainer.js';
import type { TrainingArgumentsInput } from './training-arguments.js';

const V = 4;
// logits [2, 3, V]: two rows; labels of row 0 supervise positions 1 and 2
const LOGITS = [
  [0.1, -0.4, 0.3, 1.2, -1.0, 0.5, 0.2, 0.0, 0.7, 0.7, -0.3, 0.1],
  [0.4, 0.1, -0.2, 0.9, -0.6, 0.8, 0.3, -0.1, 0.2, 0.5, -0.5, 0.6],
];
const LABELS = [9, 2, 1]; // position 0's label is never used (nothing predicts it)

function logSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
}

/** Runs `loss(logits, labels, numItems)` on the reference backend in f64. */
async function lossOf(
  build: typeof causalLmLoss extends (...a: never[]) => infer F ? F : never,
  rows: number,
): Promise<number> {
  const b = new GraphBuilder();
  const logits = b.input('logits', [rows, 3, V], 'f32');
  const labels = b.input('labels', [1, 3], 'i32');
  const numItemsInBatch = b.input('n', [], 'f32');
  const graph = b.build({ loss: build({ logits, labels, numItemsInBatch }) });
  const out = await evaluate(
    graph,
    {
      logits: new HostTensor('f32', [rows, 3, V], Float64Array.from(LOGITS.slice(0, rows).flat())),
      labels: HostTensor.from('i32', [1, 3], LABELS),
      n: new HostTensor('f32', [], Float64Array.of(2)),
    },
    'f64',
  );
  return out.loss.item();
}

describe('causal-LM losses', () => {
  it('shift the labels and smooth them as PyTorch does, divided by num_items_in_batch', async () => {
    const f = 0.1;
    let expected = 0;
    for (const t of [0, 1]) {
      const logp = logSoftmax(LOGITS[0].slice(t * V, t * V + V));
      const nll = -logp[LABELS[t + 1]];
      const smooth = -logp.reduce((s, x) => s + x, 0) / V;
      expected += (1 - f) * nll + f * smooth;
    }
    expect(await lossOf(causalLmLoss(f), 1)).toBeCloseTo(expected / 2, 12);
  });

  it('computes the same loss and gradient from the head in chunks of rows', async () => {
    const H = 3;
    const b = new GraphBuilder();
    const hidden = b.input('hidden', [2, 3, H], 'f32');
    const weight = b.input('weight', [V, H], 'f32');
    const labels = b.input('labels', [2, 3], 'i32');
    const numItemsInBatch = b.input('n', [], 'f32');
    const project = (h: Tensor) => h.matmul(weight.transpose());
    const inputs = { logits: project(hidden), head: { hidden, project }, labels, numItemsInBatch };
    const [whole, chunked] = [
      causalLmLoss(0.1)(inputs),
      causalLmLoss(0.1, { above: 0, rows: 3 })(inputs),
    ];
    const [dWhole, dChunked] = [whole, chunked].map((l) => grad(l, [hidden])[0] as Tensor);
    const feed = (shape: number[], values: number[]) =>
      new HostTensor('f32', shape, Float64Array.from(values));
    const out = await evaluate(
      b.build({ whole, chunked, dWhole, dChunked }),
      {
        hidden: feed([2, 3, H], LOGITS.flat().slice(0, 18)),
        weight: feed([V, H], LOGITS[1]),
        labels: HostTensor.from('i32', [2, 3], [...LABELS, 0, -100, 3]),
        n: feed([], [3]),
      },
      'f64',
    );
    expect(out.chunked.item()).toBeCloseTo(out.whole.item(), 12);
    const [dw, dc] = [out.dWhole.toArray(), out.dChunked.toArray()];
    for (const [i, x] of dc.entries()) expect(x).toBeCloseTo(dw[i], 12);
  });

  it('R-Drop adds alpha times the symmetric KL of the two passes per supervised token', async () => {
    const alpha = 0.7;
    const ce = async (row: number) => {
      let s = 0;
      for (const t of [0, 1]) s -= logSoftmax(LOGITS[row].slice(t * V, t * V + V))[LABELS[t + 1]];
      return s / 2;
    };
    let kl = 0;
    for (const t of [0, 1]) {
      const p = logSoftmax(LOGITS[0].slice(t * V, t * V + V));
      const q = logSoftmax(LOGITS[1].slice(t * V, t * V + V));
      for (let c = 0; c < V; c++)
        kl += Math.exp(p[c]) * (p[c] - q[c]) + Math.exp(q[c]) * (q[c] - p[c]);
    }
    const expected = ((await ce(0)) + (await ce(1))) / 2 + (alpha * kl) / 2 / 2;
    expect(await lossOf(rdropLoss(causalLmLoss(), alpha), 2)).toBeCloseTo(expected, 12);
  });
});

describe('NEFTune', () => {
  it('adds uniform noise of at most alpha / sqrt(T * D) to the input embeddings', async () => {
    const model = tinyLlama();
    const [T, D, alpha] = [4, 16, 5];
    const path = inputEmbeddingPath(model);
    expect(path).toBe('model.embed_tokens');
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, model);
    const ids = b.input('ids', [1, T], 'i32');
    const clean = (model.getModule(path) as UnaryModule).forward(ctx, ids);
    const noisy = withNeftune(model, alpha, () =>
      (model.getModule(path) as UnaryModule).forward(ctx, ids),
    );
    expect(model.getModule(path).constructor.name).toBe('Embedding');
    const graph = b.build({ diff: noisy.sub(clean) });
    const out = await evaluate(graph, {
      ...ctx.weights(),
      ids: HostTensor.from('i32', [1, T], [1, 5, 2, 7]),
      [NEFTUNE_SEED_INPUT]: HostTensor.from('i32', [], [3]),
    });
    const diff = out.diff.toArray();
    const bound = alpha / Math.sqrt(T * D);
    expect(Math.max(...diff.map(Math.abs))).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(Math.max(...diff)).toBeGreaterThan(bound * 0.8);
    expect(Math.min(...diff)).toBeLessThan(-bound * 0.8);
  });
});

const rows = countingRows(4, 6);
const batches = [makeBatch(rows.slice(0, 2), 6), makeBatch(rows.slice(2), 6)];

async function losses(args: TrainingArgumentsInput, lora: Record<string, unknown>) {
  const { model, peft } = tinyLora(lora);
  const recorder = new Recorder();
  await new Trainer({
    backend: new ReferenceBackend(),
    model,
    peft,
    args: testArgs({ learning_rate: 1e-2, max_steps: 3, ...args }),
    trainData: plansOf(batches),
    callbacks: [recorder],
  }).train();
  return recorder.losses;
}

describe('seeds and determinism', () => {
  it('the same seed gives the same losses; another seed other dropout masks and noise', async () => {
    const settings = { neftune_noise_alpha: 5 };
    const a = await losses({ ...settings, seed: 42 }, { lora_dropout: 0.3 });
    expect(await losses({ ...settings, seed: 42 }, { lora_dropout: 0.3 })).toEqual(a);
    const other = await losses({ ...settings, seed: 43 }, { lora_dropout: 0.3 });
    expect(other[0]).not.toBe(a[0]);
    const quiet = await losses({ seed: 42 }, {});
    expect(quiet[0]).not.toBe(a[0]);
  });

  it('R-Drop needs dropout or noise, and changes the loss when it has them', async () => {
    await expect(losses({ rdrop_alpha: 1 }, {})).rejects.toThrow(UserError);
    await expect(losses({ rdrop_alpha: 1 }, {})).rejects.toThrow(/lora_dropout > 0/);
    const plain = await losses({}, { lora_dropout: 0.3 });
    const rdrop = await losses({ rdrop_alpha: 1 }, { lora_dropout: 0.3 });
    expect(rdrop.every(Number.isFinite)).toBe(true);
    // step 1 matches (lora_B starts at zero: both passes agree); the KL term shows after it
    expect(rdrop[0]).toBeCloseTo(plain[0], 6);
    expect(rdrop[2]).not.toBeCloseTo(plain[2], 6);
  });
});
