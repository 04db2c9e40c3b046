import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decomposeForOnnx, OnnxBackend } from '@tunekit/backend-onnx';
import { TrainStepRunner } from '@tunekit/core';
import { median } from './median.js';
import { buildRandomModel, traceBenchStep } from './tunekit-step.js';
import { workloadOfKind } from './workload-by-id.js';

// Where a workload's onnx step spends its time, from onnxruntime's own profiler:
//   node --import tsx --conditions=@tunekit/source src/profile-child.ts WORKLOAD THREADS [STEPS]
// runs one warm-up step and STEPS (default 2) profiled ones, then prints the kernel time of the
// profiled steps by op type, by phase (forward: the IR nodes up to the loss; backward: up to the
// gradient norm; optimizer: the rest) and the IR nodes that took longest. Shares and CPU seconds
// are what to compare on a loaded machine; the optimized model is cached in $TMPDIR, so a second
// profile of the same graph skips onnxruntime's optimisation.

const workload = workloadOfKind(process.argv[2], 'step');
const threads = Number(process.argv[3]);
const steps = Number(process.argv[4] ?? 2);
const dir = await mkdtemp(join(tmpdir(), 'tunekit-profile-'));
const backend = new OnnxBackend({
  threads,
  profileFilePrefix: join(dir, 'step'),
  sessionCache: { dir: join(tmpdir(), 'tunekit-profile-cache'), maxBytes: 2 ** 30 },
});
const { model } = buildRandomModel(workload);
const { train, weights, batch } = traceBenchStep(model, workload);
const runner = TrainStepRunner.create(backend, train, weights);
const cpu0 = process.cpuUsage();
await runner.run(batch);
const cpu1 = process.cpuUsage(cpu0);
const stepsCpu: number[] = [];
for (let i = 0; i < steps; i++) {
  const c = process.cpuUsage();
  await runner.run(batch);
  const d = process.cpuUsage(c);
  stepsCpu.push((d.user + d.system) / 1e6);
}
await backend.dispose();

// the trace is written when the session is released, which dispose starts
let file: string | undefined;
for (let i = 0; i < 600 && !file; i++) {
  file = (await readdir(dir)).find((f) => f.endsWith('.json'));
  if (!file) await new Promise((r) => setTimeout(r, 100));
}
if (!file) throw new Error(`no profile written in ${dir}`);
let events: TraceEvent[] = [];
for (let i = 0; i < 100; i++) {
  try {
    events = JSON.parse(await readFile(join(dir, file), 'utf8'));
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 200)); // still being written
  }
}

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

const graph = decomposeForOnnx(train.graph);
const idOf = (name: string) => graph.outputs.find((o) => o.name === name)?.node ?? Infinity;
const lossId = idOf('loss');
const normId = idOf('grad_norm');
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
const profiled = runs.slice(1); // the first run warms the arena
const inProfiled = (e: TraceEvent) => profiled.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
const kernels = events.filter(
  (e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inProfiled(e),
);
// per ONNX node, the median of its time over the profiled runs: on a loaded machine a node's
// time now and then includes a wait for the CPU, which a median leaves out
const times = new Map<string, { op: string; dur: number[] }>();
for (const e of kernels) {
  const entry = times.get(e.name) ?? { op: e.args?.op_name ?? '?', dur: [] };
  entry.dur.push(e.dur);
  times.set(e.name, entry);
}
const perStep = 1e6; // µs -> s
let total = 0;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const byOp = new Map<string, number>();
const byPhase = new Map<string, number>();
const byPhaseOp = new Map<string, number>();
const byIr = new Map<string, number>();
for (const [name, { op, dur }] of times) {
  const t = median(dur);
  total += t;
  const ir = /^(\w+)#(\d+):/.exec(name);
  const id = ir ? Number(ir[2]) : Number.NaN;
  const phase = !ir
    ? 'fused by onnxruntime'
    : id <= lossId
      ? 'forward'
      : id <= normId
        ? 'backward'
        : 'optimizer';
  add(byOp, op, t);
  add(byPhase, phase, t);
  add(byPhaseOp, `${phase} ${op}`, t);
  const irNode = ir
    ? `${ir[1]}#${ir[2]} [${graph.nodes[id].shape.join(',')}]`
    : name.replace(/_kernel_time$/, '');
  add(byIr, `${irNode} (${op})`, t);
}
const table = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => ({
      what: k,
      s_per_step: +(v / perStep).toFixed(4),
      share: +(v / total).toFixed(3),
    }));
const result = {
  workload: workload.id,
  threads,
  profiled_steps: profiled.length,
  warmup_cpu_s: (cpu1.user + cpu1.system) / 1e6,
  step_cpu_s: stepsCpu,
  run_s_per_step: median(profiled.map((r) => r.dur)) / perStep,
  kernel_s_per_step: total / perStep, // sum of the nodes' medians
  by_phase: table(byPhase, 10),
  by_op: table(byOp, 25),
  by_phase_op: table(byPhaseOp, 30),
  by_ir_node: table(byIr, 40),
  trace: join(dir, file),
};
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
