import { OnnxBackend, type OnnxExecutable } from '@tunekit/backend-onnx';
import { type Graph, TrainStepRunner } from '@tunekit/core';
import { median } from './median.js';
import { buildRandomModel, traceBenchStep } from './tunekit-step.js';
import { workloadOfKind } from './workload-by-id.js';

// One start of a session workload, alone in this process as a job's start is: trace the step,
// create its onnxruntime session with the session cache in `process.argv[4]`, run the steps.
// Prints one JSON line: `SessionStartResult`.

/** The onnx backend, remembering the executable it compiled (for its session creation). */
class RecordingOnnxBackend extends OnnxBackend {
  compiled?: OnnxExecutable;
  override compile(graph: Graph): OnnxExecutable {
    this.compiled = super.compile(graph);
    return this.compiled;
  }
}

const workload = workloadOfKind(process.argv[2], 'session');
const threads = Number(process.argv[3]);
const { model } = buildRandomModel(workload);
const t0 = performance.now();
const { train, weights, batch } = traceBenchStep(model, { ...workload, kind: 'step' });
// every session is kept, however fast its creation: the bench times the cached path
const sessionCache = { dir: process.argv[4] as string, minCreateMs: 0 };
const backend = new RecordingOnnxBackend({ threads, sessionCache });
const runner = TrainStepRunner.create(backend, train, weights);
const t1 = performance.now();
const losses: number[] = [];
const seconds: number[] = [];
for (let i = 0; i < workload.warmup + workload.steps; i++) {
  const start = performance.now();
  losses.push((await runner.run(batch)).loss);
  if (i >= workload.warmup) seconds.push((performance.now() - start) / 1000);
}
const exe = backend.compiled as OnnxExecutable;
const result = {
  trace_s: (t1 - t0) / 1000,
  session_create_s: exe.sessionCreateMs / 1000,
  session_create_cpu_s: exe.sessionCreateCpuMs / 1000,
  from_cache: exe.sessionFromCache,
  step_s: median(seconds),
  losses,
  graph_nodes: train.graph.nodes.length,
  onnx_nodes: exe.onnxNodeCount,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
};
await backend.dispose();
process.stdout.write(`${JSON.stringify(result)}\n`);

export type SessionStartResult = typeof result;
