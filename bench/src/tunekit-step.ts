import {
  adamw,
  buildCausalLM,
  buildTrainStep,
  type CausalLM,
  chunkedCrossEntropy,
  GraphBuilder,
  HostTensor,
  ops,
  type Parameter,
  PeftModel,
  seededRandom,
  TraceContext,
  type TrainStep,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { bitsAndBytesQuantizer, Linear4bit, nf4LoraDispatcher } from '@tunekit/peft-qlora';
import { LOSS_CHUNKING } from '@tunekit/trainer';
import { randomNf4 } from './random-nf4.js';
import { randomTokens } from './random-tokens.js';
import { LORA_CONFIG, MODELS, OPTIMIZER, QLORA_CONFIG, type Workload } from './workloads.js';

export interface BenchStep {
  readonly train: TrainStep;
  /** Initial values of every param and frozen input. */
  readonly weights: Record<string, HostTensor>;
  /** The one batch every step trains on. */
  readonly batch: Record<string, HostTensor>;
}

/**
 * A workload's random-weight Llama: unit norm weights, every other weight uniform with standard
 * deviation 0.02 (transformers' initializer_range; the distribution does not change the speed),
 * with LoRA adapters (`peft`) or every weight trainable. For qlora the decoder Linears are
 * Linear4bit (QLORA_CONFIG) whose weights are drawn straight in NF4 (`randomNf4`), never in f32 (a
 * 7B model's would be 27 GB).
 */
export function buildRandomModel(w: Pick<Workload, 'model' | 'method'>): {
  model: CausalLM;
  peft?: PeftModel;
} {
  const { model } = buildCausalLM(MODELS[w.model]);
  if (w.method === 'qlora')
    bitsAndBytesQuantizer.quantize(model, QLORA_CONFIG, { outputHead: 'lm_head' });
  const random = seededRandom(0);
  const half = 0.02 * Math.sqrt(3);
  const uniform = (shape: readonly number[]) => {
    const values = new Float32Array(shape.reduce((a, d) => a * d, 1));
    for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * half;
    return new HostTensor('f32', [...shape], values);
  };
  const quantized = new Set<Parameter>();
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof Linear4bit)) continue;
    m.setQuantized(randomNf4(m.outFeatures * m.inFeatures, 0.02, random));
    for (const [, p] of m.namedParameters()) quantized.add(p);
  }
  for (const [name, p] of model.namedParameters()) {
    if (quantized.has(p)) continue;
    p.value = name.endsWith('norm.weight')
      ? new HostTensor('f32', p.shape, new Float32Array(p.value.size).fill(1))
      : uniform(p.shape);
  }
  if (w.method !== 'full') {
    const peft = PeftModel.create(model, loraMethod, LORA_CONFIG, {
      dispatchers: [nf4LoraDispatcher, denseLinearDispatcher],
    });
    return { model, peft };
  }
  for (const [, p] of model.namedParameters()) p.trainable = true;
  return { model };
}

/**
 * The training step: loss = cross_entropy(logits, labels), AdamW with gradient clipping. Logits
 * over the trainer's budget come from the model's head a chunk of rows at a time, as in training.
 */
export function traceBenchStep(model: CausalLM, w: Workload): BenchStep {
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model, { gradientCheckpointing: w.gradientCheckpointing });
  const labels = b.input('labels', [w.batch * w.seq], 'i32');
  const { logits, head } = model.forward(ctx, {
    input_ids: b.input('input_ids', [w.batch, w.seq], 'i32'),
    position_ids: b.input('position_ids', [w.batch, w.seq], 'i32'),
  });
  const vocab = model.shape.vocabSize;
  const rows = w.batch * w.seq;
  const loss =
    head && rows * vocab > LOSS_CHUNKING.above
      ? chunkedCrossEntropy(
          head.hidden.reshape([rows, head.hidden.dim(-1)]),
          head.project,
          labels,
          {
            chunk_size: LOSS_CHUNKING.rows,
          },
        )
      : ops.crossEntropy(logits.reshape([rows, vocab]), labels);
  const train = buildTrainStep(loss, {
    optimizer: adamw(),
    groups: [{ lr: OPTIMIZER.lr, weight_decay: OPTIMIZER.weight_decay }],
    maxGradNorm: OPTIMIZER.max_grad_norm,
  });
  const positions = Array.from({ length: w.batch * w.seq }, (_, i) => i % w.seq);
  return {
    train,
    weights: ctx.weights(),
    batch: {
      input_ids: randomTokens([w.batch, w.seq], vocab, 1),
      labels: randomTokens([w.batch * w.seq], vocab, 2),
      position_ids: HostTensor.from('i32', [w.batch, w.seq], positions),
    },
  };
}
