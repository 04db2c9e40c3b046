import { ops, segmentMask } from '@tunekit/core';
import { compareOnCase, F32_TOLERANCE, type OpCase } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../webgpu-backend.js';
import { KERNELS } from '../kernel-table.js';

const f = (...shape: number[]) => ({ shape });
/** 0/1 per element, 1 with probability 3/4, from a fixed pattern. */
const visibility = (n: number) => [...Array(n).keys()].map((e) => Number((e * 7) % 4 !== 0));

// Beyond core's conformance cases: more queries than one workgroup takes (64), more keys than one
// tile holds, a head dim of 64 (the tile at its 16 KiB), and HF's finite mask value.
const CASES: OpCase[] = [
  {
    name: 'two query blocks, three key tiles, gqa, causal with a prefix',
    inputs: [f(1, 4, 70, 8), f(1, 2, 75, 8), f(1, 2, 75, 8)],
    build: (q, k, v) => ops.causalAttention(q, k, v),
  },
  {
    name: 'packed segments, head dim 64',
    inputs: [
      f(2, 2, 40, 64),
      f(2, 2, 40, 64),
      f(2, 2, 40, 64),
      { shape: [2, 40], dtype: 'i32', fill: [...Array(80).keys()].map((e) => Math.floor(e / 13)) },
    ],
    build: (q, k, v, segments) => ops.causalAttention(q, k, v, { mask: segmentMask(segments) }),
  },
  {
    name: "HF's finite mask (finfo.min), not causal, per-head mask",
    inputs: [
      f(1, 2, 9, 4),
      f(1, 2, 33, 4),
      f(1, 2, 33, 4),
      { shape: [1, 2, 9, 33], dtype: 'i32', fill: visibility(2 * 9 * 33) },
    ],
    build: (q, k, v, visible) =>
      ops.causalAttention(q, k, v, {
        causal: false,
        mask: ops.where(visible.equal(0), q.builder.scalar(-3.4028234663852886e38), 0),
      }),
  },
];

describe('flash-attention kernels', () => {
  it('are in the kernel table', () => {
    expect(KERNELS.flash_attention).toBeTypeOf('function');
    expect(KERNELS.flash_attention_backward).toBeTypeOf('function');
  });
  for (const c of CASES) {
    it(`${c.name}: forward and gradients match the reference`, async () => {
      expect(await compareOnCase(() => WebGpuBackend.create(), c, 5, F32_TOLERANCE)).toBeNull();
    });
  }
});
