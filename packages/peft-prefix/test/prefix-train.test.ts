import {
  adamw,
  buildTrainStep,
  evaluate,
  GraphBuilder,
  grad,
  HostTensor,
  ops,
  PeftModel,
  ReferenceBackend,
  type Tensor,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { prefixTuningMethod } from '../src/index.js';
import { TINY_LLAMA, tinyModel } from './helpers.js';

const TOKENS = [1, 7, 3, 9, 4, 12, 5, 20, 8];
const SEQ = TOKENS.length - 1;

describe.each([
  ['without projection (P-Tuning v2)', false, ['prefix_encoder.default.embedding.weight']],
  [
    'with prefix_projection',
    true,
    [
      'prefix_encoder.default.embedding.weight',
      'prefix_encoder.default.transform.0.weight',
      'prefix_encoder.default.transform.0.bias',
      'prefix_encoder.default.transform.2.weight',
      'prefix_encoder.default.transform.2.bias',
    ],
  ],
])('prefix tuning %s on the reference backend', (_, prefix_projection, trainable) => {
  it('lowers the loss in a few steps, stepping only the prefix, the base weights bit-identical', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      prefixTuningMethod,
      { num_virtual_tokens: 4, prefix_projection },
      { modelConfig: TINY_LLAMA },
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
    const step = buildTrainStep(loss, { optimizer: adamw(), groups: [{ lr: 0.05 }] });
    expect(step.params.map((p) => p.name).sort()).toEqual([...trainable].sort());

    const runner = TrainStepRunner.create(new ReferenceBackend(), step, ctx.weights());
    const batch = {
      input_ids: HostTensor.from('i32', [1, SEQ], TOKENS.slice(0, -1)),
      position_ids: HostTensor.from('i32', [1, SEQ], [...Array(SEQ).keys()]),
      labels: HostTensor.from('i32', [SEQ], TOKENS.slice(1)),
    };
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push((await runner.run(batch)).loss);
    runner.dispose();
    expect(losses[14]).toBeLessThan(losses[0] - 0.05);
    expect(losses.slice(1).every((l) => l < losses[0])).toBe(true);
    for (const [name, p] of frozen)
      expect([...p.value.toFloat64()], name).toEqual(before.get(name));
  });
});

// PEFT refuses prefix tuning with gradient checkpointing (its Cache object does not survive the
// recomputation); here the prefix is a plain input of each checkpointed layer
describe('prefix tuning with gradient checkpointing', () => {
  it('gives the loss and gradients of a step without it, bit for bit', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      prefixTuningMethod,
      { num_virtual_tokens: 3, prefix_projection: true },
      { modelConfig: TINY_LLAMA },
    );
    const step = async (gradientCheckpointing: boolean) => {
      const b = new GraphBuilder();
      const ctx = new TraceContext(b, peft.model, { gradientCheckpointing });
      const { logits } = peft.model.forward(ctx, {
        input_ids: b.input('input_ids', [1, SEQ], 'i32'),
        position_ids: b.input('position_ids', [1, SEQ], 'i32'),
      });
      const loss = ops.crossEntropy(
        logits.reshape([SEQ, TINY_LLAMA.vocab_size]),
        b.input('labels', [SEQ], 'i32'),
      );
      const grads = grad(
        loss,
        peft.trainableParameters().map(([, p]) => ctx.tensor(p)),
      );
      const outputs = Object.fromEntries(grads.map((g, i) => [`d${i}`, g as Tensor]));
      const result = await evaluate(b.build({ loss, ...outputs }), {
        ...ctx.weights(),
        input_ids: HostTensor.from('i32', [1, SEQ], TOKENS.slice(0, -1)),
        position_ids: HostTensor.from('i32', [1, SEQ], [...Array(SEQ).keys()]),
        labels: HostTensor.from('i32', [SEQ], TOKENS.slice(1)),
      });
      return Object.entries(result).map(([name, t]) => [name, [...t.toFloat64()]]);
    };
    const checkpointed = await step(true);
    expect(checkpointed).toHaveLength(6); // the loss and the 5 parameters' gradients
    expect(checkpointed).toEqual(await step(false));
  });
});
