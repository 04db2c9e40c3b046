import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCausalLM,
  type CausalLM,
  evaluate,
  HostTensor,
  type LayerCache,
  Module,
  Parameter,
  PREFIX_KEY_VALUES,
  type PrefixKeyValues,
  randomNormal,
  seededRandom,
  type Tensor,
  type TraceContext,
  traceLogits,
  VIRTUAL_TOKENS,
  type VirtualTokens,
} from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCausalLMToOnnx } from './export-causal-lm.js';
import { logitsAt, maxAbsDiff, OrtCausalLM } from './ort-causal-lm.test-utils.js';

const N = 3;
const random = seededRandom(5);
const randomTensor = (shape: number[]) =>
  HostTensor.from(
    'f32',
    shape,
    randomNormal(
      shape.reduce((a, b) => a * b, 1),
      random,
    ),
  );

/** A prefix-tuning stand-in: each layer's learned keys and values [1, Hkv, N, D] (core's hook). */
class LearnedPrefix extends Module implements PrefixKeyValues {
  readonly [PREFIX_KEY_VALUES] = true as const;

  constructor(private readonly model: CausalLM) {
    super();
    const { numLayers, numKeyValueHeads, headDim } = model.shape;
    for (let i = 0; i < 2 * numLayers; i++)
      this.addParameter(`${i}`, new Parameter(randomTensor([1, numKeyValueHeads, N, headDim])));
  }

  numPrefixTokens(): number {
    return N;
  }

  prefixKeyValues(ctx: TraceContext, batch: number): LayerCache[] {
    const { numLayers, numKeyValueHeads, headDim } = this.model.shape;
    const entry = (i: number): Tensor =>
      ctx.tensor(this.weight(`${i}`)).broadcastTo([batch, numKeyValueHeads, N, headDim]);
    return Array.from({ length: numLayers }, (_, i) => ({
      key: entry(2 * i),
      value: entry(2 * i + 1),
    }));
  }
}

/** A prompt-tuning stand-in: N learned input embeddings (core's virtual-token hook). */
class LearnedPrompt extends Module implements VirtualTokens {
  readonly [VIRTUAL_TOKENS] = true as const;

  constructor(private readonly hidden: number) {
    super();
    this.addParameter('prompt', new Parameter(randomTensor([1, N, hidden])));
  }

  numVirtualTokens(): number {
    return N;
  }

  virtualTokenEmbeddings(ctx: TraceContext, batch: number): Tensor {
    return ctx.tensor(this.weight('prompt')).broadcastTo([batch, N, this.hidden]);
  }
}

const TINY_LLAMA_GQA = {
  model_type: 'llama',
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
};
const TINY_GPT2 = {
  model_type: 'gpt2',
  vocab_size: 32,
  n_embd: 16,
  n_layer: 2,
  n_head: 2,
  n_positions: 64,
};

function randomModel(config: Record<string, unknown>): CausalLM {
  const { model } = buildCausalLM(config);
  for (const [, p] of model.namedParameters())
    p.value = HostTensor.from(
      'f32',
      p.shape,
      randomNormal(p.value.size, random).map((v) => v * 0.3),
    );
  return model;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tunekit-onnx-prefix-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe.each([
  ['a key/value prefix on llama (GQA)', TINY_LLAMA_GQA, 'prefix'],
  ['a key/value prefix on gpt2', TINY_GPT2, 'prefix'],
  ['virtual tokens on llama (GQA)', TINY_LLAMA_GQA, 'prompt'],
] as const)('ONNX export of a model with %s', (name, config, kind) => {
  it("runs in a plain onnxruntime session with a cache and gives tunekit's logits", async () => {
    const model = randomModel(config);
    const hidden = config as { hidden_size?: number; n_embd?: number };
    const adapter =
      kind === 'prefix'
        ? new LearnedPrefix(model)
        : new LearnedPrompt(hidden.hidden_size ?? (hidden.n_embd as number));
    model.attachModule('adapter', adapter);
    const outDir = join(work, name.replaceAll(/\W+/g, '-'));
    await exportCausalLMToOnnx({ model, config, outDir });
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.shape;
    const session = await OrtCausalLM.open(join(outDir, 'onnx', 'model.onnx'), {
      layers,
      kvHeads,
      headDim,
    });
    try {
      const ids = [
        [1, 7, 3, 9, 4, 2, 8],
        [5, 6, 11, 30, 12, 17, 19],
      ];
      const traced = traceLogits(model, { batch: 2, seq: 7 });
      const own = (await evaluate(traced.graph, traced.feeds(ids))).logits;
      const reference = { dims: own.shape, data: own.data };
      // as transformers.js runs it: no past first, then present fed back, positions from 0
      const prefill = await session.step({ ids: ids.map((r) => r.slice(0, 4)) });
      expect(prefill.present[0].key.dims).toEqual([2, kvHeads, 4, headDim]);
      const rest = await session.step({ ids: ids.map((r) => r.slice(4)), past: prefill.present });
      expect(rest.present[layers - 1].value.dims).toEqual([2, kvHeads, 7, headDim]);
      let error = 0;
      for (let r = 0; r < 2; r++)
        for (let t = 0; t < 7; t++) {
          const got = t < 4 ? logitsAt(prefill.logits, r, t) : logitsAt(rest.logits, r, t - 4);
          error = Math.max(error, maxAbsDiff(got, logitsAt(reference, r, t)));
        }
      expect(error).toBeLessThan(1e-4);
      // the adapter matters: the base model's logits are others
      model.detachModule('adapter');
      const plain = traceLogits(model, { batch: 2, seq: 7 });
      const base = (await evaluate(plain.graph, plain.feeds(ids))).logits;
      expect(maxAbsDiff(base.toFloat64(), own.toFloat64())).toBeGreaterThan(1e-2);
      if (kind !== 'prefix') return;
      // a left-padded row, masked and positioned as transformers.js does, gives its logits alone
      const short = ids[1].slice(0, 4);
      const padded = await session.step({
        ids: [ids[0].slice(0, 7), [0, 0, 0, ...short]],
        mask: [Array(7).fill(1), [0, 0, 0, 1, 1, 1, 1]],
        positions: [
          [0, 1, 2, 3, 4, 5, 6],
          [1, 1, 1, 0, 1, 2, 3],
        ],
      });
      model.attachModule('adapter', adapter);
      const alone = traceLogits(model, { batch: 1, seq: 4 });
      const aloneLogits = (await evaluate(alone.graph, alone.feeds([short]))).logits;
      for (let t = 0; t < 4; t++)
        expect(
          maxAbsDiff(
            logitsAt(padded.logits, 1, 3 + t),
            logitsAt({ dims: aloneLogits.shape, data: aloneLogits.data }, 0, t),
          ),
        ).toBeLessThan(1e-4);
    } finally {
      await session.release();
    }
  });
});
