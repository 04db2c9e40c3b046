import type { GraphBuilder } from '../graph/builder.js';
import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';

/** A Llama-shaped decoder small enough for the reference backend. */
export interface TinyTransformerConfig {
  readonly vocab: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediate: number;
  readonly batch: number;
  readonly seq: number;
  readonly eps?: number;
  readonly ropeTheta?: number;
}

export const TINY_TRANSFORMER: TinyTransformerConfig = {
  vocab: 16,
  hidden: 16,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 32,
  batch: 1,
  seq: 12,
};

/** HF rotary tables: inv_freq = theta^(-2i/d), emb = cat(freqs, freqs), positions 0..seq-1. */
export function ropeTables(
  seq: number,
  headDim: number,
  theta = 10000,
): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(seq * headDim);
  const sin = new Float64Array(seq * headDim);
  const half = headDim / 2;
  for (let t = 0; t < seq; t++) {
    for (let i = 0; i < headDim; i++) {
      const angle = t * theta ** (-(2 * (i % half)) / headDim);
      cos[t * headDim + i] = Math.cos(angle);
      sin[t * headDim + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** The HF parameter names and shapes of the tiny decoder. */
export function tinyTransformerShapes(c: TinyTransformerConfig): Record<string, number[]> {
  const headDim = c.hidden / c.heads;
  const shapes: Record<string, number[]> = { 'model.embed_tokens.weight': [c.vocab, c.hidden] };
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    shapes[`${p}.input_layernorm.weight`] = [c.hidden];
    shapes[`${p}.self_attn.q_proj.weight`] = [c.heads * headDim, c.hidden];
    shapes[`${p}.self_attn.k_proj.weight`] = [c.kvHeads * headDim, c.hidden];
    shapes[`${p}.self_attn.v_proj.weight`] = [c.kvHeads * headDim, c.hidden];
    shapes[`${p}.self_attn.o_proj.weight`] = [c.hidden, c.heads * headDim];
    shapes[`${p}.post_attention_layernorm.weight`] = [c.hidden];
    shapes[`${p}.mlp.gate_proj.weight`] = [c.intermediate, c.hidden];
    shapes[`${p}.mlp.up_proj.weight`] = [c.intermediate, c.hidden];
    shapes[`${p}.mlp.down_proj.weight`] = [c.hidden, c.intermediate];
  }
  shapes['model.norm.weight'] = [c.hidden];
  shapes['lm_head.weight'] = [c.vocab, c.hidden];
  return shapes;
}

/** Norm weights at one; every other weight normal with std 1/sqrt(fan-in). */
export function initTinyTransformer(
  c: TinyTransformerConfig,
  seed = 0,
): Record<string, HostTensor> {
  const random = seededRandom(seed);
  const weights: Record<string, HostTensor> = {};
  for (const [name, shape] of Object.entries(tinyTransformerShapes(c))) {
    const n = shape.reduce((a, d) => a * d, 1);
    if (name.endsWith('norm.weight'))
      weights[name] = HostTensor.from('f32', shape, new Float64Array(n).fill(1));
    else
      weights[name] = HostTensor.from(
        'f32',
        shape,
        randomNormal(n, random).map((v) => v / Math.sqrt(shape[shape.length - 1])),
      );
  }
  return weights;
}

/**
 * Traces the decoder: inputs `input_ids` and `labels` [batch, seq] (i32; labels already aligned to
 * positions, -100 ignored), every weight an input of role 'param'. Returns the mean cross-entropy.
 */
export function traceTinyTransformer(
  b: GraphBuilder,
  c: TinyTransformerConfig,
): { loss: Tensor; logits: Tensor } {
  const headDim = c.hidden / c.heads;
  const eps = c.eps ?? 1e-6;
  const w: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(tinyTransformerShapes(c)))
    w[name] = b.input(name, shape, 'f32', 'param');
  const ids = b.input('input_ids', [c.batch, c.seq], 'i32');
  const labels = b.input('labels', [c.batch, c.seq], 'i32');
  const tables = ropeTables(c.seq, headDim, c.ropeTheta);
  const cos = b.constant(Array.from(tables.cos), [c.seq, headDim]);
  const sin = b.constant(Array.from(tables.sin), [c.seq, headDim]);
  const linear = (x: Tensor, name: string) => x.matmul(w[name].transpose());
  const heads = (x: Tensor, n: number) =>
    x.reshape([c.batch, c.seq, n, headDim]).transpose([0, 2, 1, 3]);

  let h = w['model.embed_tokens.weight'].gather(ids, 0);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    const x = ops.rmsNorm(h, w[`${p}.input_layernorm.weight`], eps);
    const q = ops.rope(heads(linear(x, `${p}.self_attn.q_proj.weight`), c.heads), cos, sin);
    const k = ops.rope(heads(linear(x, `${p}.self_attn.k_proj.weight`), c.kvHeads), cos, sin);
    const v = heads(linear(x, `${p}.self_attn.v_proj.weight`), c.kvHeads);
    const attn = ops
      .causalAttention(q, k, v)
      .transpose([0, 2, 1, 3])
      .reshape([c.batch, c.seq, c.hidden]);
    h = h.add(linear(attn, `${p}.self_attn.o_proj.weight`));
    const y = ops.rmsNorm(h, w[`${p}.post_attention_layernorm.weight`], eps);
    const gated = linear(y, `${p}.mlp.gate_proj.weight`)
      .silu()
      .mul(linear(y, `${p}.mlp.up_proj.weight`));
    h = h.add(linear(gated, `${p}.mlp.down_proj.weight`));
  }
  const logits = linear(ops.rmsNorm(h, w['model.norm.weight'], eps), 'lm_head.weight');
  const loss = ops.crossEntropy(
    logits.reshape([c.batch * c.seq, c.vocab]),
    labels.reshape([c.batch * c.seq]),
  );
  return { loss, logits };
}
