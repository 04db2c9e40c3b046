import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';
import { makeBatch } from './test-utils.js';

const window = [makeBatch([[1, 2, 3]], 4)];
const step = (loss: number, accurate: number) => ({
  loss,
  gradNorm: 1,
  items: 4,
  sums: { 'rewards/accuracies': accurate },
});

describe('Progress', () => {
  it("logs a loss's outputs as means over the window's items, across a checkpoint and resume", () => {
    const straight = new Progress(10);
    straight.advance(step(0.6, 1), 1e-3, window, { epoch: 0, batchIndex: 1 });
    straight.advance(step(0.4, 3), 1e-3, window, { epoch: 0, batchIndex: 2 });
    expect(straight.takeLogs(0)['rewards/accuracies']).toBe(0.5);

    // a checkpoint taken inside a logging window keeps its sums; the resumed log is the same
    const first = new Progress(10);
    first.advance(step(0.6, 1), 1e-3, window, { epoch: 0, batchIndex: 1 });
    const saved = JSON.parse(JSON.stringify(first.toFile(0, 'hash')));
    const resumed = new Progress(10);
    resumed.restore(saved, 1);
    resumed.advance(step(0.4, 3), 1e-3, window, { epoch: 0, batchIndex: 2 });
    const logs = resumed.takeLogs(0);
    expect(logs['rewards/accuracies']).toBe(0.5);
    expect(logs.loss).toBeCloseTo(0.5, 12);
  });
});
