import {
  adamw,
  buildCausalLM,
  buildTrainStep,
  type Graph,
  GraphBuilder,
  type Node,
  ops,
  PeftModel,
  TraceContext,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { loraMethod } from '../src/index.js';
import { LORA_OPTIONS } from './helpers.js';

// projections wider than NARROW_MATMUL_WIDTH (64), so that only the adapters' products are narrow
const CONFIG = {
  model_type: 'llama',
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  intermediate_size: 256,
  vocab_size: 64,
  hidden_act: 'silu',
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 64,
  tie_word_embeddings: true,
};
const TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const [BATCH, SEQ] = [2, 8];

function trainStep(lora_dropout: number) {
  const peft = PeftModel.create(
    buildCausalLM(CONFIG).model,
    loraMethod,
    { target_modules: TARGETS, r: 8, lora_alpha: 16, lora_dropout },
    LORA_OPTIONS,
  );
  peft.train();
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, peft.model);
  const { logits } = peft.model.forward(ctx, {
    input_ids: b.input('input_ids', [BATCH, SEQ], 'i32'),
    position_ids: b.input('position_ids', [BATCH, SEQ], 'i32'),
  });
  const loss = ops.crossEntropy(
    logits.reshape([BATCH * SEQ, CONFIG.vocab_size]),
    b.input('labels', [BATCH * SEQ], 'i32'),
  );
  return { peft, step: buildTrainStep(loss, { optimizer: adamw() }) };
}

/** For each forward product x @ A^T of the step: how many adapters' A it holds. */
function adaptersPerProduct(graph: Graph): number[] {
  const { nodes } = graph;
  const isA = (n: Node) => n.op === 'input' && /\.lora_A\./.test((n as Node<'input'>).attrs.name);
  return nodes.flatMap((n) => {
    const w = nodes[n.inputs[1]];
    if (n.op !== 'matmul' || w.op !== 'transpose') return [];
    const a = nodes[w.inputs[0]];
    const held = a.op === 'concat' ? a.inputs.map((i) => nodes[i]) : [a];
    return held.every(isA) ? [held.length] : [];
  });
}

describe('LoRA products in a training step', () => {
  it('fuse per shared input: q, k, v in one product and gate, up in another', () => {
    const { peft, step } = trainStep(0);
    // per layer: q+k+v, o, gate+up, down
    expect(adaptersPerProduct(step.graph)).toEqual([3, 1, 2, 1, 3, 1, 2, 1]);
    // the trained parameters are the adapters' own, under their own names and shapes
    const named = (list: [string, readonly number[]][]) => list.map(([n, s]) => `${n} ${s}`).sort();
    expect(named(step.params.map((p) => [p.name, p.shape]))).toEqual(
      named(peft.trainableParameters().map(([n, p]) => [n, p.shape])),
    );
  });

  it('stay apart with dropout, which gives each adapter its own input', () => {
    expect(adaptersPerProduct(trainStep(0.1).step.graph)).toEqual(Array(14).fill(1));
  });
});
