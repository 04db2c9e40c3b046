import { OnnxBackend } from '@tunekit/backend-onnx';
import { GraphBuilder, HostTensor } from '@tunekit/core';

/** onnxruntime's fp32 GFLOP/s on one n x n matmul (best of `reps`), through the onnx backend. */
export async function onnxMatmulPeak(threads: number, n = 2048, reps = 10): Promise<number> {
  const backend = new OnnxBackend({ threads });
  const b = new GraphBuilder();
  const a = b.input('a', [n, n]);
  const exe = backend.compile(b.build({ c: a.matmul(b.input('b', [n, n])).sum() }));
  const random = () => backend.upload(HostTensor.from('f32', [n, n], randomValues(n * n)));
  const feeds = { a: random(), b: random() };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps + 2; i++) {
    const start = performance.now();
    await exe.run(feeds);
    if (i >= 2) best = Math.min(best, (performance.now() - start) / 1000);
  }
  await backend.dispose();
  return (2 * n ** 3) / best / 1e9;
}

function randomValues(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i));
}
