import {
  adamw,
  buildTrainStep,
  GraphBuilder,
  HostTensor,
  ops,
  PeftModel,
  ReferenceBackend,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { promptTuningMethod } from '../src/index.js';
import { PROMPT_OPTIONS, TINY_LLAMA, tinyModel } from './helpers.js';

const TOKENS = [1, 7, 3, 9, 4, 12, 5, 20, 8];
const SEQ = TOKENS.length - 1;

describe('prompt tuning on the reference backend', () => {
  it('lowers the loss in a few steps, stepping only the prompt, the base weights bit-identical', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      promptTuningMethod,
      { num_virtual_tokens: 4 },
      PROMPT_OPTIONS,
    );
    const frozen = peft.model.namedParameters().filter(([, p]) => !p.trainable);
    const before = new Map(frozen.map(([n, p]) => [n, [...p.value.toFloat64()]]));

    const b = new GraphBuilder();
    const ctx = new TraceContext(b, peft.model);
    const { logits } = peft.model.forward(ctx, {
      input_ids: b.input('input_ids', [1, SEQ], 'i32'),
      position_ids: b.input('position_ids', [1, SEQ], 'i32'),
    });
    const loss = ops.crossEntropy(
      logits.reshape([SEQ, TINY_LLAMA.vocab_size]),
      b.input('labels', [SEQ], 'i32'),
    );
    const step = buildTrainStep(loss, { optimizer: adamw(), groups: [{ lr: 0.2 }] });
    expect(step.params.map((p) => p.name)).toEqual(['prompt_encoder.default.embedding.weight']);

    const runner = TrainStepRunner.create(new ReferenceBackend(), step, ctx.weights());
    const batch = {
      input_ids: HostTensor.from('i32', [1, SEQ], TOKENS.slice(0, -1)),
      position_ids: HostTensor.from('i32', [1, SEQ], [...Array(SEQ).keys()]),
      labels: HostTensor.from('i32', [SEQ], TOKENS.slice(1)),
    };
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) losses.push((await runner.run(batch)).loss);
    const trained = await runner.params();
    runner.dispose();
    // the tiny random model barely listens to its input, so the drop is small but steady
    expect(losses[19]).toBeLessThan(losses[0] - 0.02);
    expect(losses.slice(1).every((l) => l < losses[0])).toBe(true);
    expect(Object.keys(trained)).toEqual(['prompt_encoder.default.embedding.weight']);
    for (const [name, p] of frozen)
      expect([...p.value.toFloat64()], name).toEqual(before.get(name));
  });
});
