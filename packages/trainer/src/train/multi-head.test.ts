import { HostTensor, MultiHeadModel, PeftModel, ReferenceBackend } from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { describe, expect, it } from 'vitest';
import type { TrainBatch } from '../data/index.js';
import { sequenceClassificationLoss } from './sequence-classification-loss.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  tempDir,
  testArgs,
  tinyLlama,
} from './test-utils.js';
import { Trainer } from './trainer.js';

/** A classification batch for head `head`: each row's class (its first token's parity) at its last token. */
function classBatch(rows: readonly (readonly number[])[], head: string): TrainBatch {
  const seq = rows[0].length;
  const labels = rows.flatMap((row) => row.map((_, t) => (t === seq - 1 ? row[0] % 2 : -100)));
  return {
    ...makeBatch(rows, seq),
    labels: HostTensor.from('i32', [rows.length, seq], labels),
    supervisedTokens: rows.length,
    head,
  };
}

describe('Trainer with several heads on one model', () => {
  it("trains each batch through its own head's loss, one LoRA adapter and both heads' losses falling", async () => {
    const lm = tinyLlama();
    const config = { hidden_size: 16, initializer_range: 0.02 };
    const model = MultiHeadModel.withClassificationHeads(lm, config, [
      { name: 'score', numLabels: 2 },
    ]);
    const peft = PeftModel.create(
      model,
      loraMethod,
      { r: 4, lora_alpha: 8, target_modules: 'all-linear', modules_to_save: ['score'] },
      { seed: 7, modelType: 'llama', dispatchers: [denseLinearDispatcher] },
    );
    // the head trains in full (modules_to_save), never wrapped by LoRA
    expect(peft.config()).toHaveProperty('target_modules', expect.arrayContaining(['score']));
    expect(model.namedParameters().some(([n]) => n.startsWith('score.lora_A'))).toBe(false);
    const rows = countingRows(4, 8);
    const batches = [
      makeBatch(rows.slice(0, 2), 8),
      classBatch(rows.slice(0, 2), 'score'),
      makeBatch(rows.slice(2), 8),
      classBatch(rows.slice(2), 'score'),
    ];
    const recorder = new Recorder();
    const trainer = new Trainer({
      backend: new ReferenceBackend(),
      model,
      peft,
      args: testArgs({
        output_dir: await tempDir(),
        learning_rate: 2e-2,
        max_steps: 40,
        lr_scheduler_type: 'constant',
        save_strategy: 'no',
        logging_steps: 10,
      }),
      trainData: plansOf(batches),
      headLosses: { score: sequenceClassificationLoss() },
      callbacks: [recorder],
    });
    const out = await trainer.train();
    expect([...out.compiledGraphs].sort()).toEqual(['2x8:step', 'score:2x8:step']);
    // steps alternate LM and classification batches: each loss series falls on its own
    const series = (parity: number) => recorder.losses.filter((_, i) => i % 2 === parity);
    const [lmLosses, classLosses] = [series(0), series(1)];
    expect(lmLosses.at(-1)).toBeLessThan(lmLosses[0] * 0.6);
    expect(classLosses.at(-1)).toBeLessThan(classLosses[0] * 0.5);
    // a classification loss is a mean cross-entropy over 2 classes: ln 2 at the start
    expect(classLosses[0]).toBeCloseTo(Math.LN2, 1);
  });

  it('refuses a batch whose head has no loss', async () => {
    const model = MultiHeadModel.withClassificationHeads(tinyLlama(), { hidden_size: 16 }, [
      { name: 'score', numLabels: 2 },
    ]);
    const trainer = new Trainer({
      backend: new ReferenceBackend(),
      model,
      args: testArgs({ output_dir: await tempDir(), max_steps: 1, save_strategy: 'no' }),
      trainData: plansOf([classBatch(countingRows(2, 8), 'score')]),
    });
    await expect(trainer.train()).rejects.toThrow("no loss is given for head 'score'");
  });
});
