import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { fitRouterHead } from './fit-router-head.js';
import { RouterHead } from './router-head.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-router-head-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Three clusters in 6 dimensions around different centres, with noise. */
function clusters(perLabel: number, seed: number): { x: Float64Array[]; y: number[] } {
  const random = seededRandom(seed);
  const centres = [
    [3, 0, 0, 1, 0, 5],
    [0, 3, 0, 1, 0, 5],
    [0, 0, 3, 1, 0, 5],
  ];
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < perLabel; i++)
    centres.forEach((c, label) => {
      x.push(Float64Array.from(c, (v) => v + (random() - 0.5)));
      y.push(label);
    });
  return { x, y };
}

describe('the router head', () => {
  it('learns separable labels, classifies held-out points, and saves and loads unchanged', async () => {
    const train = clusters(10, 1);
    const { weights, loss } = fitRouterHead(train.x, train.y, 3, {
      steps: 200,
      learningRate: 0.05,
      weightDecay: 0.01,
    });
    expect(loss).toBeLessThan(0.05);
    const head = new RouterHead(
      { labels: ['a', 'b', 'none'], hidden_size: 6, pooling: 'mean' },
      weights,
    );
    const heldOut = clusters(5, 2);
    const picked = heldOut.x.map((x) => {
      const p = head.probabilities(x);
      return p.indexOf(Math.max(...p));
    });
    expect(picked).toEqual(heldOut.y);

    await head.save(work);
    const loaded = await RouterHead.load(work);
    expect(loaded.labels).toEqual(['a', 'b', 'none']);
    for (const x of heldOut.x)
      expect([...loaded.probabilities(x)]).toEqual(
        [...head.probabilities(x)].map((p) => expect.closeTo(p, 5)),
      );
    expect(() => loaded.probabilities(new Float64Array(4))).toThrow(
      /hidden size 4, but the head was trained on 6/,
    );
  });
});
