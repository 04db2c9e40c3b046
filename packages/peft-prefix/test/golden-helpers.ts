// The golden values of scripts/golden_prompt_learning.py and how the tests run a model on them.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type CausalLM,
  evaluate,
  GraphBuilder,
  grad,
  HostTensor,
  ops,
  type Parameter,
  readSafetensorsBuffer,
  type Tensor,
  TraceContext,
} from '@tunekit/core';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** core's tiny model folders, which the golden script adapts. */
export const MODELS = fileURLToPath(new URL('../../core/test/fixtures/models/', import.meta.url));

export interface Golden {
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly labels: number[][];
  readonly logits: { shape: number[]; data: number[] };
  readonly loss: number;
  readonly grads: Record<string, { shape: number[]; data: number[] }>;
}

export async function readGolden(dir: string): Promise<Golden> {
  return JSON.parse(await readFile(`${dir}/golden.json`, 'utf8')) as Golden;
}

/** The tensors of a safetensors file of the fixtures. */
export async function readTensors(path: string): Promise<Map<string, HostTensor>> {
  return readSafetensorsBuffer(new Uint8Array(await readFile(path)), path).tensors;
}

/**
 * HF's 4-D mask from a 2-D attention_mask [B, T]: query q sees key k when k <= q and k is not
 * padding; additive (0 or -inf) [B, 1, T, T].
 */
export function causalPaddingMask(mask: readonly (readonly number[])[]): HostTensor {
  const [batch, seq] = [mask.length, mask[0].length];
  const values = mask.flatMap((row) =>
    Array.from({ length: seq * seq }, (_, i) => {
      const [q, k] = [Math.floor(i / seq), i % seq];
      return k <= q && row[k] === 1 ? 0 : Number.NEGATIVE_INFINITY;
    }),
  );
  return HostTensor.from('f32', [batch, 1, seq, seq], values);
}

/**
 * Logits [B, T, V] of the golden's rows, the mean cross-entropy over its labels and the gradient of
 * that loss with respect to each of `params` (by name), on the reference backend.
 */
export async function lossAndGrads(
  model: CausalLM,
  golden: Golden,
  params: ReadonlyMap<string, Parameter>,
): Promise<{ logits: HostTensor; loss: number; grads: Map<string, HostTensor> }> {
  const [batch, seq] = [golden.input_ids.length, golden.input_ids[0].length];
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
    attention_mask: b.input('attention_mask', [batch, 1, seq, seq], 'f32'),
  });
  const loss = ops.crossEntropy(
    logits.reshape([batch * seq, logits.dim(-1)]),
    b.input('labels', [batch * seq], 'i32'),
  );
  const names = [...params.keys()];
  const outputs: Record<string, Tensor> = { logits, loss };
  grad(
    loss,
    names.map((name) => ctx.tensor(params.get(name) as Parameter)),
  ).forEach((g, i) => {
    if (g) outputs[`grad:${names[i]}`] = g;
  });
  const ids = (rows: number[][]) => HostTensor.from('i32', [batch, seq], rows.flat());
  const out = await evaluate(b.build(outputs), {
    ...ctx.weights(),
    input_ids: ids(golden.input_ids),
    position_ids: ids(golden.input_ids.map((row) => row.map((_, t) => t))),
    attention_mask: causalPaddingMask(golden.attention_mask),
    labels: HostTensor.from('i32', [batch * seq], golden.labels.flat()),
  });
  return {
    logits: out.logits,
    loss: out.loss.item(),
    grads: new Map(names.filter((n) => out[`grad:${n}`]).map((n) => [n, out[`grad:${n}`]])),
  };
}

/** max |a - b| / max |b|: the error relative to the golden values' scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let [diff, scale] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
