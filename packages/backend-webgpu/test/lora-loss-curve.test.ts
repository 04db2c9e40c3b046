import { fileURLToPath } from 'node:url';
import {
  adamw,
  type Backend,
  buildTrainStep,
  GraphBuilder,
  HostTensor,
  loadCausalLM,
  ops,
  PeftModel,
  ReferenceBackend,
  seededRandom,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../src/webgpu-backend.js';

const BASE = fileURLToPath(new URL('../../core/test/fixtures/models/tiny-llama', import.meta.url));
const [BATCH, SEQ, STEPS] = [2, 12, 20];

/** 20 LoRA steps (q, k, v, o, gate, up, down; dropout on) of the tiny Llama fixture on one backend. */
async function lossCurve(backend: Backend): Promise<number[]> {
  const { model } = await loadCausalLM(BASE);
  const peft = PeftModel.create(
    model,
    loraMethod,
    {
      r: 8,
      lora_alpha: 16,
      lora_dropout: 0.1,
      target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
    },
    { methods: [loraMethod], dispatchers: [denseLinearDispatcher], modelType: 'llama', seed: 7 },
  );
  peft.train();
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, peft.model);
  const { logits } = peft.model.forward(ctx, {
    input_ids: b.input('input_ids', [BATCH, SEQ], 'i32'),
    position_ids: b.input('position_ids', [BATCH, SEQ], 'i32'),
  });
  const vocab = peft.model.shape.vocabSize;
  const loss = ops.crossEntropy(
    logits.reshape([BATCH * SEQ, vocab]),
    b.input('labels', [BATCH * SEQ], 'i32'),
  );
  const step = buildTrainStep(loss, {
    optimizer: adamw(),
    groups: [{ lr: 3e-3, weight_decay: 0.01 }],
    maxGradNorm: 1,
  });
  const runner = TrainStepRunner.create(backend, step, ctx.weights());
  const random = seededRandom(11);
  const tokens = () =>
    HostTensor.from(
      'i32',
      [BATCH, SEQ],
      Array.from({ length: BATCH * SEQ }, () => Math.floor(random() * vocab)),
    );
  const positions = HostTensor.from(
    'i32',
    [BATCH, SEQ],
    Array.from({ length: BATCH * SEQ }, (_, i) => i % SEQ),
  );
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const input_ids = tokens();
    const feeds: Record<string, HostTensor> = {
      input_ids,
      position_ids: positions,
      labels: new HostTensor('i32', [BATCH * SEQ], input_ids.data as Int32Array),
    };
    if (step.graph.inputs.some((i) => i.name === 'dropout_seed'))
      feeds.dropout_seed = HostTensor.scalar('i32', 1000 + s);
    losses.push((await runner.run(feeds)).loss);
  }
  runner.dispose();
  await backend.dispose();
  return losses;
}

describe('LoRA training on webgpu and on the reference backend', () => {
  it('gives the same loss curve for 20 steps (relative difference < 1e-4)', async () => {
    const reference = await lossCurve(new ReferenceBackend());
    const webgpu = await lossCurve(await WebGpuBackend.create());
    expect(reference[STEPS - 1]).toBeLessThan(reference[0]); // it trains
    const worst = Math.max(
      ...webgpu.map((l, i) => Math.abs(l - reference[i]) / Math.abs(reference[i])),
    );
    expect(worst).toBeLessThan(1e-4);
  });
});
