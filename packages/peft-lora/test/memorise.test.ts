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
import { loraMethod } from '../src/index.js';
import { LORA_OPTIONS, logitsOf, tinyLlama } from './helpers.js';

const TOKENS = [1, 7, 3, 9, 4, 12, 5, 20, 8, 2];
const SEQ = TOKENS.length - 1;

describe('a LoRA fine-tune on the reference backend', () => {
  it('memorises a sequence (loss < 0.1) while the base weights stay bit-identical', async () => {
    // every linear layer, lm_head too: its frozen logit scale alone cannot reach a loss below 0.1
    const target_modules = [
      'q_proj',
      'k_proj',
      'v_proj',
      'o_proj',
      'gate_proj',
      'up_proj',
      'down_proj',
      'lm_head',
    ];
    const peft = PeftModel.create(
      await tinyLlama(),
      loraMethod,
      // r = 3: the adapters' fused A-gradients (3, 6 and 9 rows) have no frozen weight's shape
      { target_modules, r: 3, lora_alpha: 6 },
      LORA_OPTIONS,
    );
    const base = new Map(
      peft.model
        .namedParameters()
        .filter(([, p]) => !p.trainable)
        .map(([n, p]) => [n, new Float32Array(p.value.data as Float32Array)]),
    );

    const b = new GraphBuilder();
    const ctx = new TraceContext(b, peft.model);
    const { logits } = peft.model.forward(ctx, {
      input_ids: b.input('input_ids', [1, SEQ], 'i32'),
      position_ids: b.input('position_ids', [1, SEQ], 'i32'),
    });
    const loss = ops.crossEntropy(logits.reshape([SEQ, 32]), b.input('labels', [SEQ], 'i32'));
    const step = buildTrainStep(loss, { optimizer: adamw(), groups: [{ lr: 1e-2 }] });

    // frozen weights get no gradient work: only LoRA parameters are stepped, and no node of the
    // step computes a tensor shaped like a frozen weight matrix (a dW) or scatters into the embedding
    expect(
      step.params.map((p) => p.name).every((n) => /\.lora_[AB]\.default\.weight$/.test(n)),
    ).toBe(true);
    expect(step.params).toHaveLength(30);
    const frozenShapes = new Set(
      step.graph.inputs
        .filter((i) => i.role === 'frozen' && i.shape.length === 2)
        .flatMap((i) => [i.shape.join(), [...i.shape].reverse().join()]),
    );
    const gradientWork = step.graph.nodes.filter(
      (n) =>
        (n.op === 'matmul' && n.shape.length === 2 && frozenShapes.has(n.shape.join())) ||
        n.op === 'scatter_add',
    );
    expect(gradientWork).toEqual([]);

    const runner = TrainStepRunner.create(new ReferenceBackend(), step, ctx.weights());
    const batch = {
      input_ids: HostTensor.from('i32', [1, SEQ], TOKENS.slice(0, -1)),
      position_ids: HostTensor.from('i32', [1, SEQ], [...Array(SEQ).keys()]),
      labels: HostTensor.from('i32', [SEQ], TOKENS.slice(1)),
    };
    let last = Number.POSITIVE_INFINITY;
    const first = (await runner.run(batch)).loss;
    for (let i = 0; i < 200 && last >= 0.1; i++) last = (await runner.run(batch)).loss;
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(0.1);

    const trained = await runner.params();
    for (const [name, p] of peft.model.namedParameters())
      if (trained[name]) p.value = trained[name];
    runner.dispose();
    for (const [name, p] of peft.model.namedParameters().filter(([, p]) => !p.trainable))
      expect(new Float32Array(p.value.data as Float32Array), name).toEqual(base.get(name));
    // the trained adapter predicts the sequence
    const predicted = (await logitsOf(peft.model, [TOKENS.slice(0, -1)])).toArray();
    const argmax = Array.from({ length: SEQ }, (_, t) => {
      const row = predicted.slice(t * 32, (t + 1) * 32);
      return row.indexOf(Math.max(...row));
    });
    expect(argmax).toEqual(TOKENS.slice(1));
  });
});
