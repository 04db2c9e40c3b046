import {
  type AnyOptimizer,
  type Backend,
  buildTrainStep,
  DROPOUT_SEED_INPUT,
  type GraphInput,
  type HostTensor,
  type ParamGroup,
  type RunnerResume,
  type TaskModel,
  TrainStepRunner,
  UserError,
} from '@tunekit/core';
import { NEFTUNE_SEED_INPUT } from './neftune.js';
import { type LossTraceOptions, type StepShape, traceTrainingLoss } from './trace-loss.js';

/**
 * 'step': forward, backward and update on one batch. With gradient accumulation, 'accumulate'
 * adds a micro-batch's gradients to buffers and 'apply' adds the window's last and updates.
 */
export type StepMode = 'step' | 'accumulate' | 'apply';

export interface StepGraphsOptions {
  readonly backend: Backend;
  readonly model: TaskModel;
  readonly trace: LossTraceOptions;
  readonly optimizer: AnyOptimizer;
  readonly groups: readonly ParamGroup[];
  readonly maxGradNorm?: number;
  /** The optimizer state and step count of a resumed run. */
  readonly resume?: RunnerResume;
}

/**
 * The compiled step graphs of one training run, one per batch shape and mode, traced and compiled
 * the first time a batch of that shape comes. All of them share the device-resident parameters
 * and optimizer state, so a run that meets three bucket lengths compiles three graphs.
 */
export class StepGraphs {
  private readonly runners = new Map<string, TrainStepRunner>();
  private first?: TrainStepRunner;

  constructor(private readonly opts: StepGraphsOptions) {}

  runnerFor(shape: StepShape, mode: StepMode): TrainStepRunner {
    const head = shape.head === undefined ? '' : `${shape.head}:`;
    const key = `${head}${shape.batch}x${shape.seq}${shape.packed ? ':packed' : ''}:${mode}`;
    let runner = this.runners.get(key);
    if (!runner) {
      const { loss, outputs, weights } = traceTrainingLoss(this.opts.model, shape, this.opts.trace);
      if (this.opts.trace.twoPasses) requireRandomness(loss.builder.graphInputs());
      const step = buildTrainStep(loss, {
        optimizer: this.opts.optimizer,
        groups: this.opts.groups,
        maxGradNorm: this.opts.maxGradNorm,
        accumulation: mode === 'step' ? undefined : mode,
        outputs,
        chunkKey: headChunkKey(this.opts.model),
      });
      runner = this.first
        ? this.first.share(step, weights)
        : TrainStepRunner.create(this.opts.backend, step, weights, this.opts.resume);
      this.first ??= runner;
      this.runners.set(key, runner);
    }
    return runner;
  }

  /** Graph keys compiled so far (`4x128:step`, `score:4x128:step`), for tests and reports. */
  compiled(): string[] {
    return [...this.runners.keys()];
  }

  /** The trainable parameters' current values, by input name. */
  async params(): Promise<Record<string, HostTensor>> {
    return this.first ? this.first.params() : {};
  }

  async optimizerState(): Promise<Record<string, HostTensor>> {
    return this.first ? this.first.optimizerState() : {};
  }

  dispose(): void {
    for (const runner of this.runners.values()) runner.dispose();
    this.runners.clear();
    this.first = undefined;
  }
}

/** R-Drop compares two passes; without dropout or noise they are identical and the term is 0. */
function requireRandomness(inputs: readonly GraphInput[]): void {
  if (!inputs.some((i) => i.name === DROPOUT_SEED_INPUT || i.name === NEFTUNE_SEED_INPUT)) {
    throw new UserError(
      'rdrop_alpha > 0 needs two different passes, but the model has no dropout in training and ' +
        'NEFTune is off: set lora_dropout > 0 (or neftune_noise_alpha), or rdrop_alpha: 0',
    );
  }
}

/**
 * A multi-head model's graphs each train the trunk and one head, so each head's parameters get flat
 * chunks of their own and the trunk's chunks are laid out alike in every graph.
 */
function headChunkKey(model: TaskModel): ((param: string) => string) | undefined {
  if (model.heads.length < 2) return undefined;
  const heads = model.heads.map((head) => head.name);
  return (param) => heads.find((head) => param.startsWith(`${head}.`)) ?? 'trunk';
}
