import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autodiff/index.js';
import { evaluate, ReferenceBackend } from '../backend/index.js';
import { Generator } from '../generate/index.js';
import { GraphBuilder, ops } from '../graph/index.js';
import { buildCausalLM, type CausalLM, traceLogits } from '../models/index.js';
import { TraceContext } from '../nn/index.js';
import {
  ADAPTER_CONFIG_FILE,
  type LinearDispatcher,
  PEFT_KEY_PREFIX,
  type PeftMethod,
  PeftModel,
  peftTypeOf,
  readAdapterFolder,
} from '../peft/index.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';

export interface PeftMethodSuiteOptions {
  /** The method's dispatchers, as its plugin registers them under `TOKENS.LinearDispatcher`. */
  readonly dispatchers: readonly LinearDispatcher[];
  /** The adapter's config (raw, as in YAML); `{}` by default: the method's defaults for 'llama'. */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * False for a method whose adapters cannot be folded into the base weights: merging must then be
   * refused with an error that says there is nothing to merge.
   */
  readonly merges?: boolean;
  /** The largest difference allowed between merged and unmerged logits; 1e-4 by default. */
  readonly mergeTolerance?: number;
}

/** The Llama the suite adapts: 2 layers, grouped-query attention, untied head. */
const TINY_LLAMA = {
  model_type: 'llama',
  vocab_size: 20,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: false,
};
const ROWS = [
  [3, 1, 4, 1, 5, 9],
  [2, 6, 5, 3, 5, 8],
];

/**
 * The conformance suite of a PEFT method package (`describePeftMethod(ia3Method, { dispatchers })`
 * in a vitest file): on a tiny Llama built here, with the adapter's parameters moved off their
 * initial values so that it changes the outputs, it checks what PEFT's format and `PeftModel`
 * promise of every method: only the method's parameters train; a save loads back to the same
 * logits under PEFT's keys (`base_model.model.` prefix, no adapter name; a prompt-learning method's
 * one `prompt_embeddings`) with `peft_type` the id in
 * capitals; the saved config, every PEFT field at the value written (most at their "off" value),
 * loads and saves back unchanged; the base weights stay as they were; a disabled adapter gives the
 * base logits exactly; merging keeps the logits and
 * unmerging restores the base weights; generation with a KV cache gives the tokens and logits of the
 * full forward; and every adapter parameter gets a gradient on the reference backend.
 */
export function describePeftMethod(method: PeftMethod, options: PeftMethodSuiteOptions): void {
  const { dispatchers, config = {}, merges = true, mergeTolerance = 1e-4 } = options;
  const peftOptions = {
    methods: [method],
    dispatchers,
    modelType: 'llama',
    modelConfig: TINY_LLAMA,
  };
  /** The method's adapter on a fresh tiny Llama, its parameters moved off their initial values. */
  const adapted = () => {
    const peft = PeftModel.create(tinyLlama(), method, config, peftOptions);
    const random = seededRandom(7);
    for (const p of peft.adapterParameters().values()) {
      const noise = randomNormal(p.value.size, random);
      p.value = HostTensor.from(
        p.dtype,
        p.shape,
        p.value.toFloat64().map((v, i) => v + 0.1 * noise[i]),
      );
    }
    return peft;
  };

  describe(`PEFT method '${method.id}'`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `tunekit-peft-${method.id}-`));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it(`trains only its own parameters, each named with '${method.prefix}'`, () => {
      const peft = adapted();
      const trainable = peft.trainableParameters();
      expect(trainable.length).toBeGreaterThan(0);
      expect(new Set(trainable.map(([, p]) => p))).toEqual(
        new Set(peft.adapterParameters().values()),
      );
      for (const [path] of trainable)
        expect(path.startsWith(method.prefix) || path.includes(`.${method.prefix}`), path).toBe(
          true,
        );
    });

    it('saves under PEFT’s keys and peft_type, and loads back to the same logits', async () => {
      const peft = adapted();
      await peft.save(dir);
      const { config: saved, tensors } = await readAdapterFolder(dir);
      expect(saved.peft_type).toBe(peftTypeOf(method));
      // PEFT saves a prompt-learning adapter as one tensor under this key (BasePromptEncoder)
      if (method.isPromptLearning) expect([...tensors.keys()]).toEqual(['prompt_embeddings']);
      else
        for (const key of tensors.keys()) {
          expect(key.startsWith(PEFT_KEY_PREFIX), key).toBe(true);
          expect(key.split('.'), key).not.toContain('default');
        }
      const loaded = await PeftModel.fromPretrained(tinyLlama(), dir, peftOptions);
      expect(await logitsOf(loaded.model)).toEqual(await logitsOf(peft.model));
    });

    it('reads its saved adapter_config.json, PEFT’s fields at their values, and saves it unchanged', async () => {
      const configFile = join(dir, ADAPTER_CONFIG_FILE);
      await adapted().save(dir);
      const first = await readFile(configFile, 'utf8');
      await (await PeftModel.fromPretrained(tinyLlama(), dir, peftOptions)).save(dir);
      expect(JSON.parse(await readFile(configFile, 'utf8'))).toEqual(JSON.parse(first));
    });

    it('leaves the base model’s weights as they were', () => {
      const base = new Map(tinyLlama().namedParameters());
      let compared = 0;
      for (const [path, p] of adapted().model.namedParameters()) {
        const original = base.get(path.replace('.base_layer.', '.'));
        if (!original) continue;
        expect(p.value.toFloat64(), path).toEqual(original.value.toFloat64());
        compared++;
      }
      expect(compared).toBe(base.size);
    });

    it('gives the base model’s logits exactly while disabled, and others while enabled', async () => {
      const peft = adapted();
      const base = await logitsOf(tinyLlama());
      expect(maxAbsDiff(await logitsOf(peft.model), base)).toBeGreaterThan(1e-4);
      expect(await peft.withAdaptersDisabled(() => logitsOf(peft.model))).toEqual(base);
    });

    if (merges)
      it('keeps the logits when merged, and unmerging restores the base weights', async () => {
        const peft = adapted();
        const unmerged = await logitsOf(peft.model);
        peft.merge();
        expect(maxAbsDiff(await logitsOf(peft.model), unmerged)).toBeLessThan(mergeTolerance);
        peft.unmerge();
        const base = new Map(tinyLlama().namedParameters());
        for (const [path, p] of peft.model.namedParameters()) {
          const original = base.get(path.replace('.base_layer.', '.'));
          if (original)
            expect(maxAbsDiff(p.value.toFloat64(), original.value.toFloat64()), path).toBeLessThan(
              1e-5,
            );
        }
      });
    else
      it('refuses to merge, saying it has nothing to merge', () => {
        expect(() => adapted().merge()).toThrow(/nothing to merge/);
      });

    it('generates with a KV cache the tokens and logits of the full forward (greedy)', async () => {
      const peft = adapted();
      const generator = new Generator(peft.model, new ReferenceBackend(), { maxLength: 12 });
      // rows of different lengths: the shorter one is left-padded
      const prompts = [ROWS[0], ROWS[1].slice(0, 3)];
      const run = async (useCache: boolean) => {
        const logits: Float64Array[][] = prompts.map(() => []);
        const onLogits = (row: number, l: Float64Array) => logits[row].push(l);
        const rows = await generator.generate(
          prompts,
          { max_new_tokens: 4 },
          { useCache, onLogits },
        );
        return { tokens: rows.map((r) => r.tokens), logits };
      };
      const [cached, full] = [await run(true), await run(false)];
      expect(cached.tokens).toEqual(full.tokens);
      for (const [r, steps] of cached.logits.entries())
        for (const [t, l] of steps.entries())
          expect(maxAbsDiff(l, full.logits[r][t]), `row ${r} step ${t}`).toBeLessThan(1e-5);
    });

    it('gives every adapter parameter a non-zero gradient in a traced step', async () => {
      const peft = adapted();
      const b = new GraphBuilder();
      const ctx = new TraceContext(b, peft.model);
      const [batch, seq] = [ROWS.length, ROWS[0].length];
      const { logits } = peft.model.forward(ctx, {
        input_ids: b.input('input_ids', [batch, seq], 'i32'),
        position_ids: b.input('position_ids', [batch, seq], 'i32'),
      });
      const labels = b.input('labels', [batch * seq], 'i32');
      const loss = ops.crossEntropy(logits.reshape([batch * seq, TINY_LLAMA.vocab_size]), labels);
      const params = peft.trainableParameters();
      const grads = grad(
        loss,
        params.map(([, p]) => ctx.tensor(p)),
      );
      const outputs = Object.fromEntries(grads.flatMap((g, i) => (g ? [[`d${i}`, g]] : [])));
      expect(Object.keys(outputs)).toHaveLength(params.length);
      const ids = (rows: number[][]) => HostTensor.from('i32', [batch, seq], rows.flat());
      const result = await evaluate(b.build({ loss, ...outputs }), {
        ...ctx.weights(),
        input_ids: ids(ROWS),
        position_ids: ids(ROWS.map((row) => row.map((_, t) => t))),
        labels: HostTensor.from(
          'i32',
          [batch * seq],
          ROWS.flatMap((row) => [...row.slice(1), 0]),
        ),
      });
      for (const [i, [path]] of params.entries())
        expect(
          result[`d${i}`].toFloat64().some((v) => v !== 0),
          path,
        ).toBe(true);
    });
  });
}

/** The suite's tiny Llama with seeded random weights: every call gives the same model. */
function tinyLlama(): CausalLM {
  const { model } = buildCausalLM(TINY_LLAMA);
  const random = seededRandom(1);
  for (const [, p] of model.namedParameters()) {
    const values = randomNormal(p.value.size, random).map((v) => 0.3 * v);
    p.value = HostTensor.from(p.dtype, p.shape, values);
  }
  return model;
}

async function logitsOf(model: CausalLM): Promise<Float64Array> {
  const traced = traceLogits(model, { batch: ROWS.length, seq: ROWS[0].length });
  return (await evaluate(traced.graph, traced.feeds(ROWS))).logits.toFloat64();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
