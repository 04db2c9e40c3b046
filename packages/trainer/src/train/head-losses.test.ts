import { evaluate, GraphBuilder, HostTensor } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import type { ComputeLoss } from './causal-lm-loss.js';
import { infoNceLoss } from './info-nce-loss.js';
import { sequenceClassificationLoss } from './sequence-classification-loss.js';

/** Runs `loss` on the reference backend in f64 over logits [R, T, C] and labels [R, T]. */
async function lossOf(
  loss: ComputeLoss,
  logits: readonly number[][][],
  labels: readonly number[][],
  numItems: number,
): Promise<number> {
  const [R, T, C] = [logits.length, logits[0].length, logits[0][0].length];
  const b = new GraphBuilder();
  const graph = b.build({
    loss: loss({
      logits: b.input('logits', [R, T, C], 'f32'),
      labels: b.input('labels', [R, T], 'i32'),
      numItemsInBatch: b.input('n', [], 'f32'),
    }),
  });
  const out = await evaluate(
    graph,
    {
      logits: new HostTensor('f32', [R, T, C], Float64Array.from(logits.flat(2))),
      labels: HostTensor.from('i32', [R, T], labels.flat()),
      n: new HostTensor('f32', [], Float64Array.of(numItems)),
    },
    'f64',
  );
  return out.loss.item();
}

const nll = (row: readonly number[], target: number) => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) - row[target];
};

describe('sequenceClassificationLoss', () => {
  it("is transformers' cross-entropy of the logits at each example's labelled (last) token", async () => {
    // two rows of 3 positions, 2 classes; row 0 ends at t=1 (t=2 is padding), row 1 at t=2
    const logits = [
      [
        [0.3, -0.2],
        [1.5, 0.1],
        [9, -9],
      ],
      [
        [0.0, 0.4],
        [-0.7, 0.2],
        [0.25, 0.5],
      ],
    ];
    const labels = [
      [-100, 1, -100],
      [-100, -100, 0],
    ];
    const expected = (nll(logits[0][1], 1) + nll(logits[1][2], 0)) / 2;
    expect(await lossOf(sequenceClassificationLoss(), logits, labels, 2)).toBeCloseTo(expected, 12);
  });
});

describe('infoNceLoss', () => {
  // rows [q0, q1, p0, p1], 2 tokens of hidden size 2; mean pooling reads both tokens, except p1's
  // second token, which is padding
  const hidden = [
    [
      [1, 0],
      [1, 0.2],
    ],
    [
      [0, 1],
      [0.3, 1],
    ],
    [
      [0.9, 0.1],
      [1, -0.1],
    ],
    [
      [0.1, 0.8],
      [5, 5],
    ],
  ];
  const mean = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, -100],
  ];

  it('is MultipleNegativesRankingLoss: cosine scores over the temperature, positive i the target', async () => {
    const pooled = hidden.map((row, r) => {
      const tokens = row.filter((_, t) => mean[r][t] !== -100);
      const sum = tokens.reduce((a, h) => [a[0] + h[0], a[1] + h[1]], [0, 0]);
      const norm = Math.hypot(sum[0], sum[1]);
      return [sum[0] / norm, sum[1] / norm];
    });
    const cos = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1];
    const scores = [0, 1].map((q) => [2, 3].map((d) => cos(pooled[q], pooled[d]) / 0.05));
    const expected = (nll(scores[0], 0) + nll(scores[1], 1)) / 2;
    const loss = infoNceLoss(0.05, { withNegatives: false });
    expect(await lossOf(loss, hidden, mean, 2)).toBeCloseTo(expected, 10);
  });

  it('pools the last token alone when only it is marked', async () => {
    const last = [
      [-100, 0],
      [-100, 0],
      [-100, 0],
      [0, -100],
    ];
    const pooled = [hidden[0][1], hidden[1][1], hidden[2][1], hidden[3][0]].map(([x, y]) => {
      const n = Math.hypot(x, y);
      return [x / n, y / n];
    });
    const cos = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1];
    const scores = [0, 1].map((q) => [2, 3].map((d) => cos(pooled[q], pooled[d]) / 0.1));
    const expected = (nll(scores[0], 0) + nll(scores[1], 1)) / 2;
    const loss = infoNceLoss(0.1, { withNegatives: false });
    expect(await lossOf(loss, hidden, last, 2)).toBeCloseTo(expected, 10);
  });
});
