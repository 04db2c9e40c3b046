import { OnnxBackend, type OnnxExecutable } from '@tunekit/backend-onnx';
import { type Graph, TrainStepRunner } from '@tunekit/core';
import { median } from './median.js';
import { buildRandomModel, traceBenchStep } from './tunekit-step.js';
import { workloadOfKind } from './workload-by-id.js';

// One workload on the onnx backend, alone in this process so that its peak RSS is its own. Prints
// one JSON line: `TunekitResult`.

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
const { model } = buildRandomModel(workload);
// tracing, autodiff and lowering to ONNX (TrainStepRunner.create compiles)
const t0 = performance.now();
const { train, weights, batch } = traceBenchStep(model, workload);
const backend = new RecordingOnnxBackend({ threads, frozenWeights });
const runner = TrainStepRunner.create(backend, train, weights);
const t1 = performance.now();
const seconds: number[] = [];
const losses: number[] = [];
let loss = Number.NaN;
for (let i = 0; i < workload.warmup + workload.steps; i++) {
  const start = performance.now();
  ({ loss } = await runner.run(batch));
  losses.push(loss);
  if (i >= workload.warmup) seconds.push((performance.now() - start) / 1000);
}
const result = {
  trace_s: (t1 - t0) / 1000,
  session_create_s: (backend.compiled?.sessionCreateMs ?? Number.NaN) / 1000,
  step_s: median(seconds),
  steps_s: seconds,
  final_loss: loss,
  losses,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
};
await backend.dispose();
process.stdout.write(`${JSON.stringify(result)}\n`);

export type TunekitResult = typeof result;
