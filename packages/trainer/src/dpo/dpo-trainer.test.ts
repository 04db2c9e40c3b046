import {
  type CausalLM,
  GraphBuilder,
  ReferenceBackend,
  TraceContext,
  UserError,
} from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import type { TrainBatch } from '../data/index.js';
import { Trainer } from '../train/index.js';
import { plansOf, Recorder, testArgs, tinyLlama, tinyLora } from '../train/test-utils.js';
import type { DpoSettings } from './dpo-config.js';
import { dpoLoss } from './dpo-loss.js';
import { collatePairs } from './pair-batches.js';
import { PreferenceEvaluator } from './preference-evaluator.js';
import { firstStepLogs, type PreferenceSetup, trainAndEvaluate } from './test-utils.js';
import type { TokenizedPair } from './tokenize-pair.js';

const settings: DpoSettings = {
  beta: 0.1,
  loss_type: 'sigmoid',
  label_smoothing: 0,
  reference_free: false,
  precompute_ref_log_probs: false,
  max_prompt_length: null,
  max_completion_length: null,
};

/** Pairs of the tiny vocabulary: a prompt, then the answer to prefer and one to avoid. */
function pairs(): TokenizedPair[] {
  const answer = (ids: number[]) => ({ input_ids: ids, labels: ids });
  return [
    [
      [1, 2, 3],
      [4, 5],
      [6, 7, 8],
    ],
    [
      [2, 3],
      [5, 6, 7],
      [8, 9],
    ],
    [[9, 10, 11, 12], [13], [14]],
    [
      [3, 1, 4],
      [15, 16],
      [17, 18],
    ],
  ].map(([prompt, chosen, rejected], i) => ({
    where: `pairs:${i + 1}`,
    prompt,
    chosen: answer(chosen),
    rejected: answer(rejected),
    truncated: false,
  }));
}

const batchOf = (reference?: Float64Array): TrainBatch =>
  collatePairs([0, 1, 2, 3], pairs(), 8, { batchSize: 4, padTokenId: 0, reference });

const dpo: PreferenceSetup<DpoSettings> = {
  settings,
  batchOf,
  computeLoss: dpoLoss,
  evaluator: (opts) => new PreferenceEvaluator(opts),
};

/**
 * Each row's summed log-probs of its labelled tokens, from the model's logits computed on their
 * own and log-softmaxed here in plain arithmetic (f64).
 */
async function directLogps(model: CausalLM, batch: TrainBatch): Promise<number[]> {
  const [B, T] = batch.input_ids.shape;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [B, T], 'i32'),
    position_ids: b.input('position_ids', [B, T], 'i32'),
  });
  const backend = new ReferenceBackend({ precision: 'f64' });
  const out = await backend
    .compile(b.build({ logits }))
    .run({ input_ids: batch.input_ids, position_ids: batch.position_ids, ...ctx.weights() });
  const values = out.logits.toArray();
  const labels = batch.labels.toArray();
  const V = values.length / (B * T);
  return Array.from({ length: B }, (_, r) => {
    let sum = 0;
    for (let t = 0; t + 1 < T; t++) {
      const label = labels[r * T + t + 1];
      if (label === IGNORE_INDEX) continue;
      const row = values.slice((r * T + t) * V, (r * T + t + 1) * V);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      sum += row[label] - lse;
    }
    return sum;
  });
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

describe('DPO in the Trainer', () => {
  it("logs the step's log-probs as a direct forward gives them; policy and reference agree before the first update", async () => {
    const { model } = tinyLora();
    const expected = await directLogps(model, batchOf());
    const logs = await firstStepLogs(dpo);
    expect(logs['logps/chosen']).toBeCloseTo(mean(expected.slice(0, 4)), 4);
    expect(logs['logps/rejected']).toBeCloseTo(mean(expected.slice(4)), 4);
    // LoRA starts as the identity (lora_B = 0): policy = reference, every reward 0, loss log 2
    expect(logs['rewards/chosen']).toBeCloseTo(0, 6);
    expect(logs['rewards/margins']).toBeCloseTo(0, 6);
    expect(logs.loss).toBeCloseTo(Math.LN2, 5);
  });

  it('raises rewards/accuracies and margins; precomputed reference log-probs train alike', async () => {
    const inGraph = await trainAndEvaluate(dpo, false, 25);
    const first = inGraph.logs[0];
    const last = inGraph.logs[inGraph.logs.length - 1];
    expect(last['rewards/accuracies']).toBe(1);
    expect(last['rewards/margins']).toBeGreaterThan(first['rewards/margins'] + 0.5);
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(inGraph.evaluation['rewards/accuracies']).toBe(1);
    expect(inGraph.evaluation['rewards/margins']).toBeGreaterThan(0.5);
    const precomputed = await trainAndEvaluate(dpo, true, 25);
    expect(precomputed.logs.map((l) => l.loss)).toEqual(
      inGraph.logs.map((l) => expect.closeTo(l.loss, 4)),
    );
    expect(precomputed.evaluation.loss).toBeCloseTo(inGraph.evaluation.loss, 4);
  });

  it('two micro-batches of 2 pairs give the same update as one batch of 4: the mean over the window’s pairs (f64)', async () => {
    const run = async (batches: TrainBatch[], accumulation: number) => {
      const { model, peft } = tinyLora();
      const recorder = new Recorder();
      await new Trainer({
        backend: new ReferenceBackend({ precision: 'f64' }),
        model,
        peft,
        args: testArgs({
          learning_rate: 1e-2,
          max_steps: 2,
          gradient_accumulation_steps: accumulation,
        }),
        trainData: plansOf(batches),
        computeLoss: dpoLoss(settings),
        callbacks: [recorder],
      }).train();
      return { logs: recorder.logs, adapter: peft.stateDict() };
    };
    const all = pairs();
    const whole = await run(
      [collatePairs([0, 1, 2, 3], all, 8, { batchSize: 4, padTokenId: 0 })],
      1,
    );
    // the second micro-batch has an empty slot (a short last batch), which counts nowhere
    const halves = await run(
      [
        collatePairs([0, 1], all, 8, { batchSize: 2, padTokenId: 0 }),
        collatePairs([2, 3], all, 8, { batchSize: 3, padTokenId: 0 }),
      ],
      2,
    );
    expect(halves.logs[1].loss).toBeCloseTo(whole.logs[1].loss, 10);
    expect(halves.logs[1]['rewards/margins']).toBeCloseTo(whole.logs[1]['rewards/margins'], 10);
    for (const [key, t] of whole.adapter) {
      const other = halves.adapter.get(key)?.toArray() ?? [];
      expect(other).toEqual(t.toArray().map((v) => expect.closeTo(v, 10)));
    }
  });

  it('refuses full fine-tuning with a reference pass in the step (there is no adapter to disable)', async () => {
    const trainer = new Trainer({
      backend: new ReferenceBackend(),
      model: tinyLlama(),
      args: testArgs({ max_steps: 1 }),
      trainData: plansOf([batchOf()]),
      computeLoss: dpoLoss(settings),
    });
    await expect(trainer.train()).rejects.toThrow(UserError);
    await expect(trainer.train()).rejects.toThrow(/precompute_ref_log_probs: true/);
  });
});
