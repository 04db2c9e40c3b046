import { OnnxBackend, type OnnxExecutable } from '@tunekit/backend-onnx';
import { WebGpuBackend, webGpuBackendOptions, webgpuOptionsSchema } from '@tunekit/backend-webgpu';
import { type Graph, TrainStepRunner } from '@tunekit/core';
import { median } from './median.js';
import { buildRandomModel, traceBenchStep } from './tunekit-step.js';
import { workloadOfKind } from './workload-by-id.js';

// One workload on the onnx or the webgpu backend, alone in this process so that its peak RSS is
// its own. Prints one JSON line: `TunekitResult`.

/** The onnx backend, remembering the executable it compiled (for its session creation time). */
class RecordingOnnxBackend extends OnnxBackend {
  compiled?: OnnxExecutable;
  override compile(graph: Graph): OnnxExecutable {
    this.compiled = super.compile(graph);
    return this.compiled;
  }
}

const workload = workloadOfKind(process.argv[2], 'step');
const threads = Number(process.argv[3]);
const frozenWeights = process.argv[4] === 'initializers' ? 'initializers' : 'inputs';
const onWebGpu = process.argv[5] === 'webgpu';
// the parent parsed the backend's options with the backend's schema; webgpu's reach it here
const options = JSON.parse(process.argv[6] ?? '{}');
const { model } = buildRandomModel(workload);
const backend = onWebGpu
  ? await WebGpuBackend.create(webGpuBackendOptions(webgpuOptionsSchema.parse(options)))
  : new RecordingOnnxBackend({ threads, frozenWeights });
// tracing, autodiff and lowering (TrainStepRunner.create compiles: to ONNX, or to WGSL kernels with
// their buffers planned, pipelines created and the weights uploaded)
const t0 = performance.now();
const { train, weights, batch } = traceBenchStep(model, workload);
const t1 = performance.now();
const runner = TrainStepRunner.create(backend, train, weights);
const t2 = performance.now();
const seconds: number[] = [];
const losses: number[] = [];
let loss = Number.NaN;
let firstStepS = Number.NaN;
for (let i = 0; i < workload.warmup + workload.steps; i++) {
  const start = performance.now();
  ({ loss } = await runner.run(batch));
  losses.push(loss);
  const s = (performance.now() - start) / 1000;
  if (i === 0) firstStepS = s;
  if (i >= workload.warmup) seconds.push(s);
}
const result = {
  trace_s: (t2 - t0) / 1000,
  compile_s: (t2 - t1) / 1000,
  // onnxruntime's session creation; the webgpu backend has none (Dawn finishes its pipelines in the
  // first step: first_step_s)
  session_create_s:
    backend instanceof RecordingOnnxBackend
      ? (backend.compiled?.sessionCreateMs ?? Number.NaN) / 1000
      : null,
  first_step_s: firstStepS,
  step_s: median(seconds),
  steps_s: seconds,
  final_loss: loss,
  losses,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  /** How the backend ran, as its options set it (f16 weights or not, and why). */
  summary: backend.summary,
  ...(backend instanceof WebGpuBackend ? { adapter: backend.gpu.adapterInfo } : {}),
};
await backend.dispose();
process.stdout.write(`${JSON.stringify(result)}\n`);

export type TunekitResult = typeof result;
