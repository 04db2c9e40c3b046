// Shared by the tests of this folder.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type CausalLM,
  evaluate,
  fuseNarrowMatmuls,
  GraphBuilder,
  grad,
  HostTensor as Host,
  type HostTensor,
  loadCausalLM,
  ops,
  type Parameter,
  type PeftModelOptions,
  type TaskModel,
  type Tensor,
  TraceContext,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const BASE = `${FIXTURES}tiny-llama`;

/** What PeftModel needs to find LoRA, as a container would give it. */
export const LORA_OPTIONS: PeftModelOptions = {
  methods: [loraMethod],
  dispatchers: [denseLinearDispatcher],
  modelType: 'llama',
};

export interface Golden {
  readonly input_ids: number[][];
  readonly labels: number[][];
  readonly logits: { shape: number[]; data: number[] };
  readonly loss: number;
  readonly grads: Record<string, { shape: number[]; data: number[] }>;
}

export async function readGolden(name: string): Promise<Golden> {
  return JSON.parse(await readFile(`${FIXTURES}${name}/golden.json`, 'utf8')) as Golden;
}

/** The tiny Llama of the fixtures, freshly loaded. */
export async function tinyLlama(): Promise<CausalLM> {
  return (await loadCausalLM(BASE)).model;
}

const ids = (rows: readonly (readonly number[])[]) =>
  Host.from('i32', [rows.length, rows[0].length], rows.flat());

function traceForward(model: TaskModel, batch: number, seq: number) {
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
  });
  return { b, ctx, logits };
}

function positions(batch: number, seq: number): HostTensor {
  return Host.from(
    'i32',
    [batch, seq],
    Array.from({ length: batch * seq }, (_, i) => i % seq),
  );
}

/** Logits [B, T, V] of `rows` of token ids on the reference backend (f32). */
export async function logitsOf(
  model: TaskModel,
  rows: readonly (readonly number[])[],
): Promise<HostTensor> {
  const [batch, seq] = [rows.length, rows[0].length];
  const { b, ctx, logits } = traceForward(model, batch, seq);
  const feeds = { ...ctx.weights(), input_ids: ids(rows), position_ids: positions(batch, seq) };
  return (await evaluate(b.build({ logits }), feeds)).logits;
}

/**
 * Logits, mean cross-entropy and its gradient with respect to each of `params` (by key), with the
 * adapters' narrow products fused as a training step fuses them (`fuseNarrowMatmuls`); `fused`
 * counts the matmuls that fusion saved in the forward.
 */
export async function lossAndGrads(
  model: TaskModel,
  rows: readonly (readonly number[])[],
  labels: readonly (readonly number[])[],
  params: ReadonlyMap<string, Parameter>,
): Promise<{ logits: HostTensor; loss: number; grads: Map<string, HostTensor>; fused: number }> {
  const [batch, seq] = [rows.length, rows[0].length];
  const { b, ctx, logits: traced } = traceForward(model, batch, seq);
  const vocab = traced.dim(-1);
  const keys = [...params.keys()];
  const { logits, loss, ...inputs } = fuseNarrowMatmuls({
    logits: traced,
    loss: ops.crossEntropy(
      traced.reshape([batch * seq, vocab]),
      b.input('labels', [batch * seq], 'i32'),
    ),
    ...Object.fromEntries(keys.map((k) => [k, ctx.tensor(params.get(k) as Parameter)])),
  });
  const matmuls = (builder: GraphBuilder) => builder.nodes.filter((n) => n.op === 'matmul').length;
  const fused = matmuls(b) - matmuls(loss.builder);
  const grads = grad(
    loss,
    keys.map((k) => (inputs as Record<string, Tensor>)[k]),
  );
  const outputs: Record<string, Tensor> = { logits, loss };
  grads.forEach((g, i) => {
    if (g) outputs[`grad:${keys[i]}`] = g;
  });
  const feeds = {
    ...ctx.weights(),
    input_ids: ids(rows),
    position_ids: positions(batch, seq),
    labels: Host.from('i32', [batch * seq], labels.flat()),
  };
  const out = await evaluate(loss.builder.build(outputs), feeds);
  return {
    fused,
    logits: out.logits,
    loss: out.loss.item(),
    grads: new Map(keys.filter((k) => out[`grad:${k}`]).map((k) => [k, out[`grad:${k}`]])),
  };
}

/** The largest |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
