import type { WebGpuBackend } from '@tunekit/backend-webgpu';
import { GraphBuilder, HostTensor } from '@tunekit/core';

/** Matmuls chained in one graph: one submission carries enough work to hide its own overhead. */
const CHAIN = 8;

export interface MatmulRate {
  readonly gflops: number;
  /** The size reached: n x n times n x n, `chain` times in one graph. */
  readonly n: number;
  readonly chain: number;
  /** The best run's seconds, from submission to the read-back of the result (the fence). */
  readonly run_s: number;
}

/**
 * The adapter's fp32 matmul rate through the backend's own matmul kernel: x <- x @ b `CHAIN` times
 * in one graph, its sum read back as the fence, best of `reps` after a warm-up run (pipeline
 * creation). n doubles from 128 while a run takes under 50 ms and n < maxN, so a software adapter
 * (about 1 GFLOP/s) stays small and a GPU reaches 2048.
 */
export async function webgpuMatmulPeak(
  backend: WebGpuBackend,
  { maxN = 2048, reps = 5 } = {},
): Promise<MatmulRate> {
  for (let n = 128; ; n *= 2) {
    const runS = await bestRun(backend, n, reps);
    if (runS >= 0.05 || n * 2 > maxN)
      return { gflops: (CHAIN * 2 * n ** 3) / runS / 1e9, n, chain: CHAIN, run_s: runS };
  }
}

async function bestRun(backend: WebGpuBackend, n: number, reps: number): Promise<number> {
  const b = new GraphBuilder();
  const bInput = b.input('b', [n, n]);
  let x = b.input('a', [n, n]);
  for (let i = 0; i < CHAIN; i++) x = x.matmul(bInput);
  const exe = backend.compile(b.build({ sum: x.sum() }));
  // entries of b about 1/sqrt(n): the chain keeps x's scale (no overflow, no denormals)
  const values = (phase: number) =>
    Float32Array.from({ length: n * n }, (_, i) => Math.sin(i + phase) / Math.sqrt(n));
  const feeds = {
    a: backend.upload(new HostTensor('f32', [n, n], values(0))),
    b: backend.upload(new HostTensor('f32', [n, n], values(1))),
  };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps + 1; i++) {
    const start = performance.now();
    const { sum } = await exe.run(feeds);
    if (!Number.isFinite(sum.data[0]))
      throw new Error(`webgpu matmul peak: non-finite sum at n=${n}`);
    if (i > 0) best = Math.min(best, (performance.now() - start) / 1000);
  }
  exe.dispose();
  return best;
}
