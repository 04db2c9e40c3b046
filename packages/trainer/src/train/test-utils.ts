import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCausalLM,
  type CausalLM,
  HostTensor,
  PeftModel,
  randomNormal,
  seededRandom,
  type TrainerCallback,
  type TrainerLogs,
  type TrainerState,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import type { BatchPlan, TrainBatch } from '../data/batch.js';
import type { EpochPlans } from './data-windows.js';
import {
  parseTrainingArguments,
  type TrainingArguments,
  type TrainingArgumentsInput,
} from './training-arguments.js';

export const VOCAB = 24;

/** A 2-layer Llama with seeded random weights (norm weights near 1). */
export function tinyLlama(seed = 1, extra: Record<string, unknown> = {}): CausalLM {
  const { model } = buildCausalLM({
    model_type: 'llama',
    vocab_size: VOCAB,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 64,
    ...extra,
  });
  const random = seededRandom(seed);
  for (const [name, p] of model.namedParameters()) {
    const noise = randomNormal(p.value.size, random).map((v) => v * 0.3);
    p.value = HostTensor.from(
      'f32',
      p.shape,
      /norm\.weight$/.test(name) ? noise.map((v) => 1 + v) : noise,
    );
  }
  return model;
}

/** The tiny Llama with a LoRA adapter on q_proj and v_proj (PEFT's Llama defaults). */
export function tinyLora(
  config: Record<string, unknown> = {},
  seed = 1,
): { model: CausalLM; peft: PeftModel<CausalLM> } {
  const model = tinyLlama(seed);
  const peft = PeftModel.create(
    model,
    loraMethod,
    { r: 4, lora_alpha: 8, ...config },
    { seed: 7, modelType: 'llama', dispatchers: [denseLinearDispatcher] },
  );
  return { model, peft };
}

/**
 * A right-padded batch: each row is a token sequence; `supervisedFrom[i]` is the first position
 * of row i whose label counts (labels before it are -100, like a prompt).
 */
export function makeBatch(
  rows: readonly (readonly number[])[],
  seq: number,
  supervisedFrom: readonly number[] = rows.map(() => 0),
): TrainBatch {
  const ids: number[] = [];
  const labels: number[] = [];
  const positions: number[] = [];
  let supervised = 0;
  rows.forEach((row, i) => {
    for (let t = 0; t < seq; t++) {
      const real = t < row.length;
      ids.push(real ? row[t] : 0);
      const label = real && t >= supervisedFrom[i] ? row[t] : -100;
      labels.push(label);
      if (t >= 1 && label !== -100) supervised++;
      positions.push(t);
    }
  });
  return {
    input_ids: HostTensor.from('i32', [rows.length, seq], ids),
    labels: HostTensor.from('i32', [rows.length, seq], labels),
    position_ids: HostTensor.from('i32', [rows.length, seq], positions),
    supervisedTokens: supervised,
    examples: rows.map((_, i) => i),
  };
}

/** A plan over fixed batches; with `shuffle`, each epoch visits them in another seeded order. */
export function plansOf(batches: readonly TrainBatch[], shuffle = false): EpochPlans {
  return (epoch) => {
    const order = batches.map((_, i) => i);
    if (shuffle) {
      const random = seededRandom(1000 + epoch);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const plan: BatchPlan = {
      length: batches.length,
      batch: (index) => batches[order[index]],
      *[Symbol.iterator]() {
        for (const i of order) yield batches[i];
      },
    };
    return plan;
  };
}

/** Rows of a small memorisable language: each row counts up from a start token. */
export function countingRows(count: number, length: number): number[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length }, (_, t) => ((i * 3 + t) % (VOCAB - 1)) + 1),
  );
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tunekit-trainer-'));
}

/**
 * Training arguments for tests: quiet, no checkpoints unless asked, and an output_dir of their own
 * (a run locks it, so test files running at once must not share the default).
 */
export function testArgs(overrides: TrainingArgumentsInput): TrainingArguments {
  return parseTrainingArguments({
    output_dir: join(tmpdir(), `tunekit-trainer-${randomBytes(6).toString('hex')}`),
    disable_tqdm: true,
    save_strategy: 'no',
    logging_steps: 1,
    ...overrides,
  });
}

/** Records each step's loss and every hook call, in order. */
export class Recorder implements TrainerCallback {
  readonly id = 'recorder';
  readonly losses: number[] = [];
  readonly calls: string[] = [];
  readonly logs: TrainerLogs[] = [];

  constructor(private readonly stopAt?: number) {}

  onTrainBegin(): void {
    this.calls.push('train_begin');
  }

  onStepEnd(state: TrainerState) {
    this.calls.push(`step_end:${state.step}`);
    if (state.loss !== undefined) this.losses.push(state.loss);
    return { shouldTrainingStop: state.step === this.stopAt };
  }

  onLog(state: TrainerState, logs: TrainerLogs): void {
    const kind = 'eval_loss' in logs ? 'eval' : 'train_runtime' in logs ? 'summary' : 'train';
    this.calls.push(`log:${kind}:${state.step}`);
    this.logs.push(logs);
  }

  onEvaluate(state: TrainerState): void {
    this.calls.push(`evaluate:${state.step}`);
  }

  onSave(state: TrainerState): void {
    this.calls.push(`save:${state.step}`);
  }

  onTrainEnd(): void {
    this.calls.push('train_end');
  }
}
