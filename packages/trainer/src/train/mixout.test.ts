import {
  evaluate,
  GraphBuilder,
  grad,
  HostTensor,
  ReferenceBackend,
  randomNormal,
  seededRandom,
  type Tensor,
  UserError,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { causalLmLoss } from './causal-lm-loss.js';
import { MIXOUT_SEED_INPUT, mixout, planMixout } from './mixout.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  testArgs,
  tinyLlama,
  tinyLora,
} from './test-utils.js';
import { traceTrainingLoss } from './trace-loss.js';
import { Trainer } from './trainer.js';
import { parseTrainingArguments, type TrainingArgumentsInput } from './training-arguments.js';

const [OUT, IN, P] = [3, 8, 0.3];
const random = seededRandom(5);
const W = HostTensor.from('f32', [OUT, IN], randomNormal(OUT * IN, random));
const W0 = HostTensor.from('f32', [OUT, IN], randomNormal(OUT * IN, random));

/** mixout(w; w0, P) and dL/dw for L = sum(c * mixout(w)), c = 1..OUT*IN, in f64. */
function mixoutGraph() {
  const b = new GraphBuilder();
  const w = b.input('w', [OUT, IN], 'f32', 'param');
  const w0 = b.input('w0', [OUT, IN], 'f32');
  const seed = b.input('seed', [], 'i32');
  const c = b.constant(
    Array.from({ length: OUT * IN }, (_, i) => i + 1),
    [OUT, IN],
  );
  const y = mixout(w, w0, seed, P);
  const [dw] = grad(y.mul(c).sum(), [w]) as Tensor[];
  const graph = b.build({ y, dw });
  return async (weights: HostTensor, s: number) => {
    const out = await evaluate(
      graph,
      { w: weights, w0: W0, seed: HostTensor.from('i32', [], [s]) },
      'f64',
    );
    return { y: out.y.toArray(), dw: out.dw.toArray() };
  };
}

describe('mixout(w; w0, p)', () => {
  it('replaces whole input columns by w0, rescales the rest, and has expectation w', async () => {
    const run = mixoutGraph();
    const [w, w0] = [W.toArray(), W0.toArray()];
    const n = 2000;
    const sum = new Array(OUT * IN).fill(0);
    let mixedColumns = 0;
    for (let s = 0; s < n; s++) {
      const { y } = await run(W, s);
      for (let j = 0; j < IN; j++) {
        const column = Array.from({ length: OUT }, (_, r) => r * IN + j);
        const mixed = y[column[0]] === w0[column[0]];
        if (mixed) mixedColumns++;
        for (const i of column) {
          // a mixed column is exactly w0; a kept one w0 + (w - w0) / (1 - p)
          const expected = mixed ? w0[i] : w0[i] + (w[i] - w0[i]) / (1 - P);
          expect(y[i]).toBeCloseTo(expected, 10);
          sum[i] += y[i];
        }
      }
    }
    expect(mixedColumns / (n * IN)).toBeCloseTo(P, 1);
    // per element, std (w - w0) sqrt(p / (1 - p)) / sqrt(n) < 0.03 here: 0.12 is 4 sigma
    const gap = Math.max(...sum.map((total, i) => Math.abs(total / n - w[i])));
    expect(gap).toBeLessThan(0.12);
  });

  it('is the pre-trained weight itself, for every mask, while w = w0 (at the first step)', async () => {
    const run = mixoutGraph();
    for (const s of [0, 1, 17]) {
      const { y } = await run(W0, s);
      expect(Math.max(...y.map((v, i) => Math.abs(v - W0.data[i])))).toBeLessThan(1e-12);
    }
  });

  it('passes gradients through the mask: dL/dw = m / (1 - p) dL/dw', async () => {
    const run = mixoutGraph();
    const { y, dw } = await run(W, 3);
    const w0 = W0.toArray();
    let kept = 0;
    dw.forEach((g, i) => {
      const mixed = y[i] === w0[i];
      if (!mixed) kept++;
      expect(g).toBeCloseTo(mixed ? 0 : (i + 1) / (1 - P), 10);
    });
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(OUT * IN);
  });
});

describe('planMixout', () => {
  it('mixes every trained Linear weight in full fine-tuning, not embeddings or norms', () => {
    const model = tinyLlama();
    const trainable = model.namedParameters();
    const plan = planMixout(model, trainable, P, true);
    const names = [...plan.targets.values()].map((t) => t.name);
    expect(names).toContain('model.layers.0.self_attn.q_proj.weight');
    expect(names).toContain('lm_head.weight');
    expect(names.some((n) => /embed_tokens|norm/.test(n))).toBe(false);
    // 2 layers x (q, k, v, o, gate, up, down) + lm_head
    expect(names).toHaveLength(15);
  });

  it("mixes only the modules_to_save copies with a PEFT adapter, not LoRA's matrices", () => {
    const { model } = tinyLora({ modules_to_save: ['lm_head'] });
    const trainable = model.namedParameters().filter(([, p]) => p.trainable);
    const plan = planMixout(model, trainable, P, false);
    expect([...plan.targets.values()].map((t) => t.name)).toEqual([
      'lm_head.modules_to_save.default.weight',
    ]);
    const { model: plain } = tinyLora();
    const lora = plain.namedParameters().filter(([, p]) => p.trainable);
    expect(() => planMixout(plain, lora, P, false)).toThrow(/modules_to_save/);
  });

  it('traces the mixed weights with their targets and a seed into the step graph', () => {
    const model = tinyLlama();
    const plan = planMixout(model, model.namedParameters(), P, true);
    const { loss, weights } = traceTrainingLoss(
      model,
      { batch: 1, seq: 4, packed: false },
      { computeLoss: causalLmLoss(), neftuneNoiseAlpha: null, twoPasses: false, mixout: plan },
    );
    const inputs = loss.builder.graphInputs().map((i) => i.name);
    expect(inputs).toContain(MIXOUT_SEED_INPUT);
    expect(Object.keys(weights).filter((n) => n.startsWith('mixout_target.'))).toHaveLength(15);
  });
});

const rows = countingRows(4, 6);
const batches = [makeBatch(rows.slice(0, 2), 6), makeBatch(rows.slice(2), 6)];

async function fullLosses(args: TrainingArgumentsInput) {
  const recorder = new Recorder();
  await new Trainer({
    backend: new ReferenceBackend(),
    model: tinyLlama(),
    args: testArgs({ learning_rate: 1e-2, max_steps: 3, ...args }),
    trainData: plansOf(batches),
    callbacks: [recorder],
  }).train();
  return recorder.losses;
}

describe('mixout in training', () => {
  it('leaves the first step alone (w = w0), then changes the run, the same for the same seed', async () => {
    const plain = await fullLosses({});
    const mixed = await fullLosses({ mixout: 0.5 });
    expect(mixed[0]).toBeCloseTo(plain[0], 6);
    expect(mixed[2]).not.toBeCloseTo(plain[2], 6);
    expect(await fullLosses({ mixout: 0.5 })).toEqual(mixed);
  });

  it('trains a modules_to_save head with mixout beside a LoRA adapter', async () => {
    const run = async (mixout: number) => {
      const { model, peft } = tinyLora({ modules_to_save: ['lm_head'] });
      const recorder = new Recorder();
      await new Trainer({
        backend: new ReferenceBackend(),
        model,
        peft,
        args: testArgs({ learning_rate: 1e-2, max_steps: 3, mixout }),
        trainData: plansOf(batches),
        callbacks: [recorder],
      }).train();
      return recorder.losses;
    };
    const [plain, mixed] = [await run(0), await run(0.5)];
    expect(mixed[0]).toBeCloseTo(plain[0], 6);
    expect(mixed[2]).not.toBeCloseTo(plain[2], 6);
  });

  it('takes a probability in [0, 1), in one line', () => {
    for (const bad of [1, -0.1]) {
      expect(() => parseTrainingArguments({ mixout: bad })).toThrow(UserError);
      expect(() => parseTrainingArguments({ mixout: bad })).toThrow(/^[^\n]*mixout[^\n]*\[0, 1\)/);
    }
    expect(parseTrainingArguments({ mixout: 0.9 }).mixout).toBe(0.9);
  });
});
