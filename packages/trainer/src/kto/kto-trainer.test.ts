import { describe, expect, it } from 'vitest';
import type { TrainBatch } from '../data/index.js';
import { firstStepLogs, type PreferenceSetup, trainAndEvaluate } from '../dpo/test-utils.js';
import type { KtoSettings } from './kto-config.js';
import { KtoEvaluator } from './kto-evaluator.js';
import { ktoLogs, ktoLoss } from './kto-loss.js';
import { collateUnpaired, klPartners, type UnpairedExample } from './unpaired-batches.js';

const settings: KtoSettings = {
  beta: 0.1,
  loss_type: 'kto',
  desirable_weight: 1,
  undesirable_weight: 1,
  precompute_ref_log_probs: false,
  max_prompt_length: null,
  max_completion_length: null,
};

/** Examples of the tiny vocabulary: a prompt, an answer, desirable or not. */
function examples(): UnpairedExample[] {
  const rows: [number[], number[], boolean][] = [
    [[1, 2, 3], [4, 5], true],
    [[2, 3], [8, 9], false],
    [[9, 10, 11, 12], [13], true],
    [[3, 1, 4], [17, 18], false],
  ];
  return rows.map(([prompt, answer, desirable], i) => ({
    where: `kto:${i + 1}`,
    prompt,
    completion: { input_ids: answer, labels: answer },
    desirable,
    truncated: false,
  }));
}

const ids = [0, 1, 2, 3];
const partner = klPartners(ids, 4, 4);
const batchOf = (reference?: Float64Array): TrainBatch =>
  collateUnpaired(ids, examples(), partner, {
    batchSize: 4,
    bucketLengths: [8],
    padTokenId: 0,
    maxLength: 8,
    reference,
  });

const kto: PreferenceSetup<KtoSettings> = {
  settings,
  batchOf,
  computeLoss: ktoLoss,
  outputLogs: ktoLogs,
  evaluator: (opts) => new KtoEvaluator(opts),
};

describe('KTO batches', () => {
  it("pairs each prompt with the answer before it in its group for the KL rows (TRL's KL dataset)", () => {
    expect(Array.from(klPartners([2, 0, 3, 1, 4], 2, 5))).toEqual([2, 3, 0, 1, 4]);
    const batch = batchOf();
    const [rows, T] = batch.input_ids.shape;
    expect(rows).toBe(8);
    const row = (r: number) => Array.from(batch.input_ids.toArray().slice(r * T, (r + 1) * T));
    expect(row(0)).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    // example 0's prompt with example 3's answer
    expect(row(4)).toEqual([1, 2, 3, 17, 18, 0, 0, 0]);
    expect(Array.from(batch.lossInputs?.kto_label.toArray() ?? [])).toEqual([1, 0, 1, 0]);
    expect(batch.pairs).toBe(4);
  });
});

describe('KTO in the Trainer', () => {
  it('starts with the policy equal to the reference: rewards and KL 0, loss 1 - sigmoid(0)', async () => {
    const logs = await firstStepLogs(kto);
    expect(logs.loss).toBeCloseTo(0.5, 6);
    expect(logs['rewards/chosen']).toBeCloseTo(0, 6);
    expect(logs['rewards/margins']).toBeCloseTo(0, 6);
    expect(logs.kl).toBeCloseTo(0, 6);
    expect(logs['count/desirable']).toBe(2);
    expect(logs['count/undesirable']).toBe(2);
    expect(logs['logps/chosen']).toBeLessThan(0);
  });

  it('raises rewards/margins; precomputed reference log-probs train alike', async () => {
    const inGraph = await trainAndEvaluate(kto, false, 20);
    const first = inGraph.logs[0];
    const last = inGraph.logs[inGraph.logs.length - 1];
    expect(last['rewards/margins']).toBeGreaterThan(first['rewards/margins'] + 0.2);
    expect(last.loss).toBeLessThan(first.loss - 0.02);
    expect(inGraph.evaluation['rewards/margins']).toBeGreaterThan(0.2);
    expect(inGraph.evaluation.kl).toBeGreaterThanOrEqual(0);
    const precomputed = await trainAndEvaluate(kto, true, 20);
    expect(precomputed.logs.map((l) => l.loss)).toEqual(
      inGraph.logs.map((l) => expect.closeTo(l.loss, 4)),
    );
    expect(precomputed.evaluation.loss).toBeCloseTo(inGraph.evaluation.loss, 4);
  });
});
