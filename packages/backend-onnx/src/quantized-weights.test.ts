import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  evaluate,
  type Graph,
  GraphBuilder,
  HostTensor,
  ops,
  randomNormal,
  seededRandom,
  type Tensor,
} from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerToModelProto } from './lower.js';
import { OnnxBackend } from './onnx-backend.js';
import { OnnxExecutable, type OnnxExecutableOptions } from './onnx-executable.js';
import { OnnxProto } from './onnx-proto.js';

const [ROWS, IN, OUT, BLOCKSIZE] = [2, 64, 32, 64];

/**
 * x through `layers` frozen 4-bit Linears (x @ W_i, W_i [IN, OUT] then [OUT, OUT]...): each weight
 * dequantized right before its matmul, as a QLoRA layer traces it; layer 1 has a double-quantized
 * absmax (u8 codes, nested absmax per 2, offset).
 */
function quantizedChain(layers: number): Graph {
  const b = new GraphBuilder();
  let h = b.input('x', [ROWS, IN]);
  const code = b.input('code', [16], 'f32', 'frozen');
  for (let i = 0; i < layers; i++) {
    const shape = [h.dim(-1), OUT];
    const n = shape[0] * shape[1];
    const packed = b.input(`q${i}`, [n / 2, 1], 'u8', 'frozen');
    const absmax: Tensor =
      i === 1
        ? ops
            .dequantizeBlockwise8bit(
              b.input('absmax_q1', [n / BLOCKSIZE], 'u8', 'frozen'),
              b.input('nested_absmax1', [Math.ceil(n / BLOCKSIZE / 2)], 'f32', 'frozen'),
              b.input('nested_code', [256], 'f32', 'frozen'),
              2,
            )
            .add(b.input('offset1', [], 'f32', 'frozen'))
        : b.input(`absmax${i}`, [n / BLOCKSIZE], 'f32', 'frozen');
    h = h.matmul(ops.dequantize4bit(packed, absmax, code, { blocksize: BLOCKSIZE, shape }));
  }
  return b.build({ y: h });
}

/** Random values for every input of `graph`: bytes for u8, positive scales, normals elsewhere. */
function feedsFor(graph: Graph): Record<string, HostTensor> {
  const random = seededRandom(11);
  return Object.fromEntries(
    graph.inputs.map(({ name, shape, dtype }) => {
      const n = shape.reduce((a, d) => a * d, 1);
      const values =
        dtype === 'u8'
          ? Array.from({ length: n }, () => Math.floor(random() * 256))
          : /absmax|offset/.test(name)
            ? Array.from({ length: n }, () => 0.1 + random())
            : Array.from(randomNormal(n, random));
      return [name, HostTensor.from(dtype, shape, values)];
    }),
  );
}

/** Runs `graph` once in a session that also writes onnxruntime's optimized model; returns both. */
async function runAndDumpOptimized(
  graph: Graph,
  frozenWeights: OnnxExecutableOptions['frozenWeights'],
) {
  const path = join(dir, `${frozenWeights}.onnx`);
  const exe = new OnnxExecutable(graph, lowerToModelProto(graph), {
    session: {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
      optimizedModelFilePath: path,
    },
    frozenWeights,
  });
  const backend = new OnnxBackend({ threads: 1 });
  const feeds = feedsFor(graph);
  // device tensors for frozen inputs: what 'initializers' bakes into the session
  const deviceFeeds = Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [name, name === 'x' ? t : backend.upload(t)]),
  );
  const out = await exe.run(deviceFeeds);
  exe.dispose();
  backend.dispose();
  const model = OnnxProto.ModelProto.decode(readFileSync(path));
  return {
    y: out.y,
    want: (await evaluate(graph, feeds, 'f64')).y,
    graph: model.graph as onnx.IGraphProto,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tunekit-qweights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('4-bit weights on the onnx backend', () => {
  it('stay packed when frozen weights are baked: no f32 weight is folded into the session', async () => {
    const { y, want, graph } = await runAndDumpOptimized(quantizedChain(2), 'initializers');
    const f32Weights = (graph.initializer ?? []).filter(
      (t) =>
        t.dataType === 1 && (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1) >= OUT * OUT,
    );
    expect(f32Weights.map((t) => t.name)).toEqual([]);
    const packed = (graph.input ?? [])
      .map((i) => i.name)
      .filter((name) => /^q\d$|absmax_q/.test(name ?? ''));
    expect(packed).toEqual(['q0', 'q1', 'absmax_q1']);
    const got = y.toFloat64();
    for (const [i, v] of want.toFloat64().entries()) expect(got[i]).toBeCloseTo(v, 4);
  });

  it("are dequantized one at a time, each right before its matmul, in onnxruntime's execution order", async () => {
    // onnxruntime writes its optimized graph in its default execution order (GraphViewer's
    // topological order), the one lower.ts's weightsFirst plans for
    const { graph } = await runAndDumpOptimized(quantizedChain(4), 'inputs');
    // for each node, the graph inputs it depends on
    const deps = new Map<string, Set<string>>(
      (graph.input ?? []).map((i) => [i.name as string, new Set([i.name as string])]),
    );
    const nodeDeps = (graph.node ?? []).map((node) => {
      const d = new Set<string>();
      for (const input of node.input ?? []) for (const name of deps.get(input) ?? []) d.add(name);
      for (const output of node.output ?? []) deps.set(output, d);
      return d;
    });
    // layer i's weight nodes depend on q_i and not on x; its matmul is the first node on both
    const spans = [0, 1, 2, 3].map((i) => {
      const weightNodes = nodeDeps.flatMap((d, k) => (d.has(`q${i}`) && !d.has('x') ? [k] : []));
      const matmul = nodeDeps.findIndex((d) => d.has(`q${i}`) && d.has('x'));
      expect(graph.node?.[matmul].opType).toBe('MatMul');
      return { first: Math.min(...weightNodes), last: Math.max(...weightNodes), matmul };
    });
    for (const [i, span] of spans.entries()) {
      expect(span.last).toBeLessThan(span.matmul);
      if (i > 0) expect(span.first).toBeGreaterThan(spans[i - 1].matmul);
    }
  });
});
