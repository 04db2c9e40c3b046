import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, GraphBuilder, grad, HostTensor, ops, type Tensor } from '../src/index.js';

// Golden values from PyTorch (float64 maths, float32 storage) for one Llama decoder block, its
// loss and every gradient. Written by scripts/golden/make_golden.py; its docstring says how to re-run it.

interface Entry {
  shape: number[];
  data: number[];
}

interface Fixture {
  config: {
    vocab_size: number;
    hidden_size: number;
    num_attention_heads: number;
    num_key_value_heads: number;
    head_dim: number;
    intermediate_size: number;
    rms_norm_eps: number;
    rope_theta: number;
    ignore_index: number;
    label_smoothing: number;
  };
  inputs: { input_ids: Entry; labels: Entry };
  weights: Record<string, Entry>;
  outputs: { loss: number; logits: Entry };
  grads: Record<string, Entry>;
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('./fixtures/golden-llama-block.json', import.meta.url), 'utf8'),
);

/** HF's rotary tables: inv_freq = 1/theta^(2i/d), freqs = pos * inv_freq, emb = cat(freqs, freqs). */
function rotaryTables(seq: number, dim: number, theta: number): { cos: number[]; sin: number[] } {
  const cos: number[] = [];
  const sin: number[] = [];
  for (let pos = 0; pos < seq; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / theta ** ((2 * (j % (dim / 2))) / dim);
      cos.push(Math.cos(angle));
      sin.push(Math.sin(angle));
    }
  }
  return { cos, sin };
}

/** y = x W^T, W stored [out, in] as nn.Linear does. */
const linear = (x: Tensor, w: Tensor): Tensor => x.matmul(w.transpose());

/** The block of make_golden.py, traced; returns the graph with loss, logits and every gradient. */
function buildGraph() {
  const c = fixture.config;
  const [batch, seq] = fixture.inputs.input_ids.shape;
  const b = new GraphBuilder();
  const ids = b.input('input_ids', [batch, seq], 'i64');
  const labels = b.input('labels', [batch, seq], 'i64');
  const w: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(fixture.weights)) {
    w[name] = b.input(name, e.shape, 'f32', 'param');
  }
  const layer = (name: string) => w[`model.layers.0.${name}.weight`];

  const { cos: cosTable, sin: sinTable } = rotaryTables(seq, c.head_dim, c.rope_theta);
  const cos = b.constant(cosTable, [seq, c.head_dim]);
  const sin = b.constant(sinTable, [seq, c.head_dim]);
  const heads = (x: Tensor, n: number) =>
    x.reshape([batch, seq, n, c.head_dim]).transpose([0, 2, 1, 3]);

  const h0 = w['model.embed_tokens.weight'].gather(ids);
  let x = ops.rmsNorm(h0, layer('input_layernorm'), c.rms_norm_eps);
  const q = ops.rope(heads(linear(x, layer('self_attn.q_proj')), c.num_attention_heads), cos, sin);
  const k = ops.rope(heads(linear(x, layer('self_attn.k_proj')), c.num_key_value_heads), cos, sin);
  const v = heads(linear(x, layer('self_attn.v_proj')), c.num_key_value_heads);
  const attn = ops
    .causalAttention(q, k, v, { scale: 1 / Math.sqrt(c.head_dim) })
    .transpose([0, 2, 1, 3])
    .reshape([batch, seq, c.num_attention_heads * c.head_dim]);
  const h1 = h0.add(linear(attn, layer('self_attn.o_proj')));

  x = ops.rmsNorm(h1, layer('post_attention_layernorm'), c.rms_norm_eps);
  const gate = linear(x, layer('mlp.gate_proj')).silu();
  const up = linear(x, layer('mlp.up_proj'));
  const h2 = h1.add(linear(gate.mul(up), layer('mlp.down_proj')));

  x = ops.rmsNorm(h2, w['model.norm.weight'], c.rms_norm_eps);
  const logits = linear(x, w['lm_head.weight']);
  const { ignore_index, label_smoothing } = c;
  const loss = ops.crossEntropy(
    logits.reshape([batch * seq, c.vocab_size]),
    labels.reshape([batch * seq]),
    { ignore_index, label_smoothing },
  );

  const wrt: Record<string, Tensor> = { ...w, embedding_output: h0 };
  const grads = grad(loss, Object.values(wrt));
  const outputs: Record<string, Tensor> = { loss, logits };
  Object.keys(wrt).forEach((name, i) => {
    const g = grads[i];
    if (!g) throw new Error(`the loss does not depend on ${name}`);
    outputs[`grad:${name}`] = g;
  });
  return b.build(outputs);
}

/** max |actual - golden| and the allowed 1e-4 * max(1, max |golden|). */
function compare(actual: HostTensor, golden: Entry): { err: number; tol: number } {
  expect(actual.shape).toEqual(golden.shape);
  const a = actual.toFloat64();
  let err = 0;
  let scale = 1;
  golden.data.forEach((g, i) => {
    err = Math.max(err, Math.abs(a[i] - g));
    scale = Math.max(scale, Math.abs(g));
  });
  return { err, tol: 1e-4 * scale };
}

describe('one Llama block on the reference backend (f32) against PyTorch golden values', () => {
  let out: Record<string, HostTensor>;

  beforeAll(async () => {
    const { input_ids, labels } = fixture.inputs;
    const feeds: Record<string, HostTensor> = {
      input_ids: HostTensor.from('i64', input_ids.shape, input_ids.data),
      labels: HostTensor.from('i64', labels.shape, labels.data),
    };
    for (const [name, e] of Object.entries(fixture.weights)) {
      feeds[name] = HostTensor.from('f32', e.shape, e.data);
    }
    out = await evaluate(buildGraph(), feeds, 'f32');
  });

  it('the fixture supervises some positions and ignores others', () => {
    const labels = fixture.inputs.labels.data;
    expect(labels.filter((l) => l === fixture.config.ignore_index).length).toBeGreaterThan(0);
    expect(labels.filter((l) => l !== fixture.config.ignore_index).length).toBeGreaterThan(0);
  });

  it('loss', () => {
    const { err, tol } = compare(out.loss, { shape: [], data: [fixture.outputs.loss] });
    expect(err).toBeLessThan(tol);
  });

  it('logits', () => {
    const { err, tol } = compare(out.logits, fixture.outputs.logits);
    expect(err).toBeLessThan(tol);
  });

  it.each(Object.keys(fixture.grads))('gradient of the loss w.r.t. %s', (name) => {
    const { err, tol } = compare(out[`grad:${name}`], fixture.grads[name]);
    expect(err).toBeLessThan(tol);
  });
});
