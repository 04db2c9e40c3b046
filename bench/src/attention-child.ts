import { OnnxBackend } from '@tunekit/backend-onnx';
import { decompose, GraphBuilder, grad, HostTensor, ops, type Tensor } from '@tunekit/core';
import { median } from './median.js';

// One attention layer of SmolLM2-135M (9 query heads, 3 kv heads, head dim 64, batch 1, causal),
// forward and backward, on the onnx backend: argv[2] 'blocks' (flash_attention lowered as Loops
// over row blocks) or 'dense' (decomposed first: whole [T, T] scores), argv[3] the sequence length.
// Prints the median step's wall and CPU seconds (one onnxruntime thread: CPU time is what a loaded,
// shared machine still measures) and this process's peak RSS.
const [mode, seqArg] = process.argv.slice(2);
const T = Number(seqArg);
const b = new GraphBuilder();
const [q, k, v] = [9, 3, 3].map((h, i) => b.input(`x${i}`, [1, h, T, 64]));
const w = b.input('w', [1, 9, T, 64]);
const loss = ops.causalAttention(q, k, v).mul(w).sum();
const grads = grad(loss, [q, k, v]) as Tensor[];
let graph = b.build({ loss, dq: grads[0].sum(), dk: grads[1].sum(), dv: grads[2].sum() });
if (mode === 'dense') graph = decompose(graph, (op) => !op.startsWith('flash_attention'));
const feed = (h: number) =>
  HostTensor.from('f32', [1, h, T, 64], Float32Array.from({ length: h * T * 64 }, Math.random));
const feeds = { x0: feed(9), x1: feed(3), x2: feed(3), w: feed(9) };
const backend = new OnnxBackend({ threads: 1 });
const exe = backend.compile(graph);
const [wall, cpu]: number[][] = [[], []];
for (let i = 0; i < 4; i++) {
  const [start, cpuStart] = [performance.now(), process.cpuUsage()];
  await exe.run(feeds);
  const used = process.cpuUsage(cpuStart);
  if (i === 0) continue; // warm-up
  wall.push((performance.now() - start) / 1000);
  cpu.push((used.user + used.system) / 1e6);
}
console.log(
  JSON.stringify({
    mode,
    seq: T,
    step_s: Number(median(wall).toFixed(3)),
    step_cpu_s: Number(median(cpu).toFixed(3)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
backend.dispose();
