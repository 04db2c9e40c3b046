import { describe, expect, it } from 'vitest';
import { evaluate } from '../../backend/index.js';
import { GraphBuilder } from '../../graph/index.js';
import { HostTensor } from '../../tensor/index.js';
import {
  CHECKPOINT_LLAMA,
  causalLmGradGraph,
} from '../../testing/conformance/checkpointed-grads.js';
import {
  initTinyTransformer,
  TINY_TRANSFORMER,
  traceTinyTransformer,
} from '../../testing/tiny-transformer.js';
import { buildCausalLM } from '../build-causal-lm.js';
import {
  cachedVersusRecomputed,
  maxAbsDiff,
  packedVersusSeparate,
  parameterShapes,
  randomModel,
  runModel,
  tinyLlamaConfig,
} from '../test-utils.js';

const tiny = tinyLlamaConfig();

describe('llama family', () => {
  it('has the parameter names and shapes of HF LlamaForCausalLM', () => {
    const { model } = buildCausalLM({ ...tiny, num_hidden_layers: 1, head_dim: 6 });
    const l = 'model.layers.0';
    expect(parameterShapes(model)).toEqual([
      ['model.embed_tokens.weight', [20, 16]],
      [`${l}.self_attn.q_proj.weight`, [24, 16]],
      [`${l}.self_attn.k_proj.weight`, [12, 16]],
      [`${l}.self_attn.v_proj.weight`, [12, 16]],
      [`${l}.self_attn.o_proj.weight`, [16, 24]],
      [`${l}.mlp.gate_proj.weight`, [24, 16]],
      [`${l}.mlp.up_proj.weight`, [24, 16]],
      [`${l}.mlp.down_proj.weight`, [16, 24]],
      [`${l}.input_layernorm.weight`, [16]],
      [`${l}.post_attention_layernorm.weight`, [16]],
      ['model.norm.weight', [16]],
      ['lm_head.weight', [20, 16]],
    ]);
  });

  it("recomputes the MLP's act(gate) * up in the backward: only gate and up outlive the forward", () => {
    const { graph } = causalLmGradGraph(CHECKPOINT_LLAMA, false);
    const loss = graph.outputs.find((o) => o.name === 'loss')?.node as number;
    const readers = (id: number) => graph.nodes.filter((n) => n.inputs.includes(id));
    const activations = graph.nodes.filter((n) => n.op === 'silu' && n.id < loss);
    expect(activations).toHaveLength(CHECKPOINT_LLAMA.num_hidden_layers);
    for (const act of activations) {
      const product = readers(act.id);
      // the activation and the product feed only the forward (the product: down_proj)
      for (const n of [act, ...product]) expect(readers(n.id).every((r) => r.id < loss)).toBe(true);
      // gate feeds the backward's copy (through a barrier) and its own gradient
      const gate = graph.nodes[act.inputs[0]];
      expect(readers(gate.id).some((r) => r.id > loss)).toBe(true);
    }
  });

  it('adds the biases of attention_bias and mlp_bias, and drops lm_head when tied', () => {
    const { model } = buildCausalLM({
      ...tiny,
      num_hidden_layers: 1,
      attention_bias: true,
      mlp_bias: true,
      tie_word_embeddings: true,
    });
    const names = parameterShapes(model).map(([n]) => n);
    const l = 'model.layers.0';
    expect(names.filter((n) => n.endsWith('.bias'))).toEqual([
      `${l}.self_attn.q_proj.bias`,
      `${l}.self_attn.k_proj.bias`,
      `${l}.self_attn.v_proj.bias`,
      `${l}.self_attn.o_proj.bias`,
      `${l}.mlp.gate_proj.bias`,
      `${l}.mlp.up_proj.bias`,
      `${l}.mlp.down_proj.bias`,
    ]);
    expect(names).not.toContain('lm_head.weight');
    expect(model.shape).toEqual({
      vocabSize: 20,
      numLayers: 1,
      numKeyValueHeads: 2,
      headDim: 4,
      maxPositions: 2048,
    });
  });

  it("computes what testing's functional tiny Llama computes from the same weights", async () => {
    const c = TINY_TRANSFORMER;
    const model = buildCausalLM({
      model_type: 'llama',
      vocab_size: c.vocab,
      hidden_size: c.hidden,
      intermediate_size: c.intermediate,
      num_hidden_layers: c.layers,
      num_attention_heads: c.heads,
      num_key_value_heads: c.kvHeads,
    }).model;
    const weights = initTinyTransformer(c, 3);
    model.loadStateDict(new Map(Object.entries(weights)));
    const ids = Array.from({ length: c.seq }, (_, t) => (t * 7 + 3) % c.vocab);

    const b = new GraphBuilder();
    const { logits } = traceTinyTransformer(b, c);
    const expected = await evaluate(b.build({ logits }), {
      ...weights,
      input_ids: HostTensor.from('i32', [1, c.seq], ids),
      labels: HostTensor.from('i32', [1, c.seq], ids),
    });
    const got = await runModel(model, { ids: [ids] });
    expect(maxAbsDiff(got.logits.toFloat64(), expected.logits.toFloat64())).toBeLessThan(1e-5);
  });

  it('tied embeddings project the output with embed_tokens.weight', async () => {
    const tied = randomModel({ ...tiny, tie_word_embeddings: true }, 5);
    const untied = buildCausalLM(tiny).model;
    const sd = tied.stateDict();
    sd.set('lm_head.weight', sd.get('model.embed_tokens.weight') as HostTensor);
    untied.loadStateDict(sd);
    const ids = [[1, 5, 9, 2]];
    const a = await runModel(tied, { ids });
    const b = await runModel(untied, { ids });
    expect(maxAbsDiff(a.logits.toFloat64(), b.logits.toFloat64())).toBe(0);
  });

  it('a prefill and decode steps through the cache give the logits of a full recompute', async () => {
    const model = randomModel(tiny);
    const ids = [
      [3, 1, 4, 1, 5, 9, 2],
      [2, 7, 1, 8, 2, 8, 1],
    ];
    expect(await cachedVersusRecomputed(model, ids, 1, 9)).toBeLessThan(1e-5);
    expect(await cachedVersusRecomputed(model, ids, 2, 9)).toBeLessThan(1e-5);
  });

  it('with llama3 rope scaling, the cache still matches a recompute', async () => {
    const llama3 = randomModel({
      ...tiny,
      max_position_embeddings: 8,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 4,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 4,
      },
    });
    expect(await cachedVersusRecomputed(llama3, [[3, 1, 4, 1, 5, 9]], 1, 8)).toBeLessThan(1e-5);
  });

  it('packed examples (positions restarting, block-diagonal mask) match each example alone', async () => {
    const model = randomModel(tiny, 2);
    expect(await packedVersusSeparate(model, [4, 8, 15], [16, 3, 2, 7])).toBeLessThan(1e-5);
  });
});
