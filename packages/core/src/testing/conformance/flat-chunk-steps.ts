import type { Backend } from '../../backend/backend.js';
import { GraphBuilder } from '../../graph/builder.js';
import { type HostTensor, seededRandom } from '../../tensor/index.js';
import { adamw, buildTrainStep, type ParamGroup, TrainStepRunner } from '../../train/index.js';
import {
  initTinyTransformer,
  TINY_TRANSFORMER,
  traceTinyTransformer,
} from '../tiny-transformer.js';
import { fillInput } from './fill.js';

/** What `accumulatedTinySteps` brings back: per step, and at the end. */
export interface TinyStepsResult {
  readonly losses: number[];
  readonly gradNorms: number[];
  readonly params: Record<string, HostTensor>;
  /** The optimizer state as a checkpoint holds it (`<param>.exp_avg`). */
  readonly state: Record<string, HostTensor>;
}

// norms without weight decay, as transformers' Trainer groups parameters
const GROUPS: readonly ParamGroup[] = [
  { lr: 2e-2, weight_decay: 0, match: (name) => name.endsWith('norm.weight') },
  { lr: 1e-2, weight_decay: 0.1 },
];

/**
 * Three AdamW steps of the tiny transformer, each over two accumulated micro-batches, with two
 * parameter groups and clipping, its flat chunks bounded by `flatChunkElements` (1: one chunk per
 * tensor, which is the per-tensor step). Disposes `backend`.
 */
export async function accumulatedTinySteps(
  backend: Backend,
  flatChunkElements?: number,
): Promise<TinyStepsResult> {
  const step = (accumulation: 'accumulate' | 'apply') => {
    const b = new GraphBuilder();
    const { loss } = traceTinyTransformer(b, TINY_TRANSFORMER);
    return buildTrainStep(loss, {
      optimizer: adamw(),
      groups: GROUPS,
      maxGradNorm: 0.5,
      accumulation,
      flatChunkElements,
    });
  };
  const accumulate = TrainStepRunner.create(
    backend,
    step('accumulate'),
    initTinyTransformer(TINY_TRANSFORMER, 3),
  );
  const apply = accumulate.share(step('apply'));
  const random = seededRandom(9);
  const shape = [TINY_TRANSFORMER.batch, TINY_TRANSFORMER.seq];
  const batch = () => {
    const ints = {
      shape,
      dtype: 'i32' as const,
      fill: { ints: [0, TINY_TRANSFORMER.vocab] as const },
    };
    return { input_ids: fillInput(ints, random), labels: fillInput(ints, random) };
  };
  const losses: number[] = [];
  const gradNorms: number[] = [];
  for (let s = 0; s < 3; s++) {
    const first = await accumulate.accumulate(batch());
    const last = await apply.run(batch());
    losses.push(first.loss + last.loss);
    gradNorms.push(last.gradNorm);
  }
  const result = {
    losses,
    gradNorms,
    params: await apply.params(),
    state: await apply.optimizerState(),
  };
  accumulate.dispose();
  apply.dispose();
  await backend.dispose();
  return result;
}
