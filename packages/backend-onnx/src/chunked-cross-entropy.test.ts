import { chunkedCrossEntropy } from '@tunekit/core';
import { compareOnCase, F32_TOLERANCE, type OpCase } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { OnnxBackend } from './onnx-backend.js';

// The chunked LM head + cross-entropy runs its chunks as checkpoint segments: each recomputation
// waits on an optimization_barrier whose `after` is a chunk's scalar loss cotangent.
const CASE: OpCase = {
  name: 'chunked LM head + cross-entropy',
  inputs: [
    { shape: [5, 3] },
    { shape: [7, 3] },
    { shape: [5], dtype: 'i32', fill: [1, -100, 6, 0, 2] },
  ],
  build: (hidden, weight, labels) =>
    chunkedCrossEntropy(hidden, (h) => h.matmul(weight.transpose()), labels, {
      chunk_size: 2,
      label_smoothing: 0.1,
    }),
};

describe('chunked cross-entropy on onnxruntime', () => {
  it('gives the reference loss and gradients', async () => {
    expect(
      await compareOnCase(() => new OnnxBackend({ threads: 1 }), CASE, 5, F32_TOLERANCE),
    ).toBeNull();
  });
});
