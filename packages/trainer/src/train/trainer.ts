import {
  ADAMW_TORCH,
  type AnyOptimizer,
  type Backend,
  type Parameter,
  type ParamGroup,
  type PeftModel,
  type RunnerResume,
  type TaskModel,
  type TrainerCallback,
  type TrainerLogs,
  type TrainerState,
  UserError,
} from '@tunekit/core';
import { CallbackList } from './callback-list.js';
import {
  type ComputeLoss,
  type ComputeLossWithOutputs,
  causalLmLoss,
  rdropLoss,
} from './causal-lm-loss.js';
import { checkpointFiles } from './checkpoint-content.js';
import { writeCheckpointFiles } from './checkpoint-files.js';
import { rotateCheckpoints, writeCheckpointFolder } from './checkpoint-folder.js';
import { configHash, hashedConfig } from './config-hash.js';
import { DataWindows, type EpochPlans } from './data-windows.js';
import { ensureFinite } from './ensure-finite.js';
import type { EvaluateFn } from './evaluate-fn.js';
import { type LrSchedule, lrFactor, warmupStepsFor } from './lr-schedule.js';
import { type MixoutPlan, planMixout } from './mixout.js';
import { runOptimizerStep } from './optimizer-step.js';
import { claimOutputDir, type OutputDirClaim } from './output-dir-claim.js';
import { planParamGroups } from './param-groups.js';
import { type OutputLogs, Progress } from './progress.js';
import { restoreCheckpoint, resumeFolder } from './resume.js';
import { StepGraphs } from './step-graphs.js';
import { adapterWeights, fullWeights, type TrainedWeights } from './trained-weights.js';
import type { TrainingArguments } from './training-arguments.js';

export interface TrainerOptions {
  readonly backend: Backend;
  readonly model: TaskModel;
  /**
   * The model with its adapter (`PeftModel.create`, or `fromPretrained` with `isTrainable`); only
   * the adapter trains and checkpoints hold the adapter folder. Absent: full fine-tuning of the
   * parameters flagged trainable, or of every parameter when none is.
   */
  readonly peft?: PeftModel;
  readonly args: TrainingArguments;
  /**
   * The optimizer `args.optim` names, resolved through the container (`resolveOptimizer`). Absent:
   * core's adamw_torch, the only one known without a container.
   */
  readonly optimizer?: AnyOptimizer;
  /** The training batches of each epoch. */
  readonly trainData: EpochPlans;
  /** Runs every eval_steps, with eval_on_start before the first step, and after the last. */
  readonly evaluate?: EvaluateFn;
  /** In call order: the registered TrainerCallback plugins, then the caller's own. */
  readonly callbacks?: readonly TrainerCallback[];
  /**
   * Replaces the causal-LM cross-entropy (transformers' `compute_loss_func`); a loss with outputs
   * (DPO) has them logged as means over the logging window's items.
   */
  readonly computeLoss?: ComputeLoss | ComputeLossWithOutputs;
  /**
   * The loss of each other head of a multi-head model by name, for the batches that name it
   * (`TrainBatch.head`); `computeLoss` is the default head's.
   */
  readonly headLosses?: Readonly<Record<string, ComputeLoss>>;
  /** How the loss's outputs become logged metrics (KTO's); default means over the items. */
  readonly outputLogs?: OutputLogs;
  /** What else a resume must agree on (PEFT config, data fingerprint, model): hashed into checkpoints. */
  readonly identity?: Readonly<Record<string, unknown>>;
  /**
   * output_dir as the caller claimed it (`claimOutputDir`, before loading the model), kept after
   * training. Absent: `train` claims it (path checks, lock, earlier run refused) and releases it.
   */
  readonly outputDirClaim?: OutputDirClaim;
  /** Where warnings go (a damaged checkpoint passed over, a stale lock taken over). */
  readonly warn?: (message: string) => void;
}

export interface TrainOutput {
  readonly globalStep: number;
  /** train_runtime, train_loss (mean over the steps this call ran), train_steps_per_second. */
  readonly metrics: TrainerLogs;
  readonly logHistory: readonly Record<string, number>[];
  /** The step graphs compiled, one per batch shape and mode (`4x64:step`). */
  readonly compiledGraphs: readonly string[];
  readonly lastCheckpoint?: string;
}

/** One call of `train`: what the loop reads and updates. */
interface Run {
  readonly graphs: StepGraphs;
  readonly data: DataWindows;
  readonly progress: Progress;
  readonly schedule: LrSchedule;
  readonly groups: readonly ParamGroup[];
  readonly intervals: { readonly logging: number; readonly eval: number; readonly save: number };
  readonly hashed: { readonly config: Record<string, unknown>; readonly hash: string };
  lastCheckpoint?: string;
  savedAt?: number;
  evaluatedAt?: number;
}

/**
 * Supervised fine-tuning on any backend, of a PEFT adapter or the full model, with transformers'
 * TrainingArguments: AdamW, LR schedules, gradient accumulation, clipping, checkpoints that resume
 * exactly, evaluation and TrainerCallback hooks.
 */
export class Trainer {
  readonly args: TrainingArguments;
  private readonly callbacks: CallbackList;
  private readonly weights: TrainedWeights;
  /** Trainable parameters under their graph input names. */
  private readonly trainable: [string, Parameter][];
  /** Mixout's targets, taken before any step or checkpoint restore changes the weights. */
  private readonly mixout?: MixoutPlan;
  private readonly warn: (message: string) => void;

  constructor(private readonly opts: TrainerOptions) {
    if (opts.peft && opts.peft.model !== opts.model)
      throw new UserError('Trainer: `peft` must wrap `model` (PeftModel.create(model, ...))');
    this.args = opts.args;
    this.callbacks = new CallbackList(opts.callbacks ?? []);
    this.weights = opts.peft ? adapterWeights(opts.peft) : fullWeights(opts.model);
    this.trainable = trainableParameters(opts.model, !opts.peft);
    if (opts.args.mixout > 0)
      this.mixout = planMixout(opts.model, this.trainable, opts.args.mixout, !opts.peft);
    this.warn = opts.warn ?? ((message) => console.warn(`warning: ${message}`));
  }

  /** Trains to max_steps (or num_train_epochs), or until a callback stops the run. */
  async train(): Promise<TrainOutput> {
    const own = this.opts.outputDirClaim === undefined;
    const claim =
      this.opts.outputDirClaim ?? (await claimOutputDir(this.args, { warn: this.warn }));
    try {
      return await this.trainClaimed();
    } finally {
      if (own) await claim.release();
    }
  }

  private async trainClaimed(): Promise<TrainOutput> {
    const { args } = this;
    const run = await this.prepare();
    const p = run.progress;
    try {
      let stop = await this.callbacks.trainBegin(this.state(run));
      if (args.eval_on_start && p.step === 0) stop = (await this.evaluate(run)) || stop;
      while (!stop && p.step < p.maxSteps) {
        // the micro-batches of this optimizer step, and where the data continues after them
        const { window, next, endsEpoch } = run.data.take(p.cursor);
        const factor = lrFactor(run.schedule, p.step);
        const lrs = run.groups.map((g) => g.lr * factor);
        // one update on the device: parameters and optimizer state change in place
        const result = await runOptimizerStep(
          run.graphs,
          window,
          lrs,
          { seed: args.seed, firstMicroStep: p.microStep },
          args.gradient_accumulation_steps > 1,
        );
        // a NaN stops the run here, before a checkpoint could save broken weights
        ensureFinite(result, {
          step: p.step + 1,
          cursor: p.cursor,
          batches: window.length,
          lastCheckpoint: run.lastCheckpoint,
        });
        p.advance(result, args.learning_rate * factor, window, next);
        stop = await this.callbacks.stepEnd(this.state(run));
        if (p.step % run.intervals.logging === 0) stop = (await this.log(run)) || stop;
        if (due(args.eval_strategy, run.intervals.eval, p.step, endsEpoch))
          stop = (await this.evaluate(run)) || stop;
        if (due(args.save_strategy, run.intervals.save, p.step, endsEpoch))
          stop = (await this.save(run)) || stop;
      }
      const summary = await this.finish(run);
      return {
        globalStep: p.step,
        metrics: summary,
        logHistory: p.logHistory,
        compiledGraphs: run.graphs.compiled(),
        lastCheckpoint: run.lastCheckpoint,
      };
    } finally {
      run.graphs.dispose();
    }
  }

  /** Step graphs, data windows, schedule and parameter groups; the checkpoint's state on resume. */
  private async prepare(): Promise<Run> {
    const { args, opts } = this;
    opts.peft?.train(true); // adapter dropout is traced into the step graphs
    const data = new DataWindows(opts.trainData, args.gradient_accumulation_steps);
    const maxSteps =
      args.max_steps > 0 ? args.max_steps : Math.ceil(args.num_train_epochs * data.stepsPerEpoch);
    const schedule: LrSchedule = {
      type: args.lr_scheduler_type,
      warmupSteps: warmupStepsFor(args, maxSteps),
      totalSteps: maxSteps,
    };
    const groups = planParamGroups(
      opts.model,
      this.trainable.map(([name]) => name),
      {
        learningRate: args.learning_rate,
        weightDecay: args.weight_decay,
        layerwiseLrDecay: args.layerwise_lr_decay,
        numLayers: opts.model.shape.numLayers,
      },
    );
    const config = hashedConfig(args, opts.identity ?? {});
    const hashed = { config, hash: configHash(config) };
    const progress = new Progress(maxSteps, opts.outputLogs);
    const resumeDir = await resumeFolder(args.resume_from_checkpoint, args.output_dir, this.warn);
    let resume: RunnerResume | undefined;
    if (resumeDir !== undefined) {
      const loaded = await restoreCheckpoint(resumeDir, {
        weights: this.weights,
        trainable: this.trainable,
        configHash: hashed.hash,
        hashedConfig: hashed.config,
        updatedBy: (steps) =>
          Array.from({ length: steps }, (_, s) => lrFactor(schedule, s)).some((f) => f > 0),
      });
      progress.restore(loaded.trainerState, loaded.rngState.micro_step);
      resume = { steps: progress.step, state: loaded.optimizerState };
    }
    const baseLoss = opts.computeLoss ?? causalLmLoss(args.label_smoothing_factor);
    const graphs = new StepGraphs({
      backend: opts.backend,
      model: opts.model,
      trace: {
        computeLoss: args.rdrop_alpha > 0 ? rdropLoss(baseLoss, args.rdrop_alpha) : baseLoss,
        neftuneNoiseAlpha: args.neftune_noise_alpha,
        twoPasses: args.rdrop_alpha > 0,
        gradientCheckpointing: args.gradient_checkpointing,
        withoutAdapter: opts.peft && withoutAdapter(opts.peft),
        mixout: this.mixout,
        headLosses: opts.headLosses,
      },
      optimizer: opts.optimizer ?? adamwTorch(args),
      groups,
      maxGradNorm: args.max_grad_norm > 0 ? args.max_grad_norm : undefined,
      resume,
    });
    // transformers' intervals: a fraction below 1 is a share of the total steps
    const interval = (v: number) => (v < 1 ? Math.max(1, Math.ceil(v * maxSteps)) : v);
    return {
      graphs,
      data,
      progress,
      schedule,
      groups,
      intervals: {
        logging: interval(args.logging_steps),
        eval: interval(args.eval_steps ?? args.logging_steps),
        save: interval(args.save_steps),
      },
      hashed,
      lastCheckpoint: resumeDir,
      savedAt: resumeDir === undefined ? undefined : progress.step,
    };
  }

  private state(run: Run): TrainerState {
    return run.progress.snapshot(run.data.epochAt(run.progress.cursor), this.args.output_dir);
  }

  private log(run: Run): Promise<boolean> {
    const logs = run.progress.takeLogs(run.data.epochAt(run.progress.cursor));
    return this.callbacks.log(this.state(run), logs);
  }

  /** Evaluates on the current weights (on the host, dropout off); metrics get the `eval_` prefix. */
  private async evaluate(run: Run): Promise<boolean> {
    const { evaluate, peft } = this.opts;
    if (!evaluate) return false;
    await this.syncHostWeights(run);
    peft?.train(false);
    const result = await evaluate().finally(() => peft?.train(true));
    const metrics = Object.fromEntries(
      Object.entries(result.metrics).map(([k, v]) => [k.startsWith('eval_') ? k : `eval_${k}`, v]),
    );
    run.evaluatedAt = run.progress.step;
    const epoch = run.data.epochAt(run.progress.cursor);
    run.progress.record({ ...metrics, epoch });
    const stopped = await this.callbacks.log(this.state(run), { ...metrics, epoch });
    return (await this.callbacks.evaluate(this.state(run), metrics, result.samples)) || stopped;
  }

  /** Writes checkpoint-<step> atomically, then drops the oldest beyond save_total_limit. */
  private async save(run: Run): Promise<boolean> {
    await this.syncHostWeights(run);
    const files = await checkpointFiles({
      args: this.args,
      progress: run.progress,
      epoch: run.data.epochAt(run.progress.cursor),
      schedule: run.schedule,
      groups: run.groups,
      trainableNames: this.trainable.map(([name]) => name),
      optimizerState: await run.graphs.optimizerState(),
      hashed: run.hashed,
    });
    const dir = await writeCheckpointFolder(
      this.args.output_dir,
      run.progress.step,
      async (tmp) => {
        await this.weights.save(tmp);
        await writeCheckpointFiles(tmp, files);
      },
    );
    await rotateCheckpoints(this.args.output_dir, this.args.save_total_limit);
    run.lastCheckpoint = dir;
    run.savedAt = run.progress.step;
    return this.callbacks.save(this.state(run), dir);
  }

  /**
   * After the loop: the final evaluation and checkpoint (unless this step had them), the trained
   * weights back into the model, the summary log and onTrainEnd.
   */
  private async finish(run: Run): Promise<TrainerLogs> {
    const { args } = this;
    const step = run.progress.step;
    if (
      (args.eval_strategy !== 'no' || args.eval_on_start) &&
      run.evaluatedAt !== step &&
      this.opts.evaluate
    )
      await this.evaluate(run);
    if (args.save_strategy !== 'no' && run.savedAt !== step && step > 0) await this.save(run);
    await this.syncHostWeights(run); // the model leaves training holding its trained weights
    const summary = run.progress.summary();
    run.progress.record(summary);
    await this.callbacks.log(this.state(run), summary);
    await this.callbacks.trainEnd(this.state(run));
    return summary;
  }

  /** Copies the trained values from the device into the model's parameters. */
  private async syncHostWeights(run: Run): Promise<void> {
    const values = await run.graphs.params();
    for (const [name, p] of this.trainable) {
      const value = values[name];
      if (value) p.value = value;
    }
  }
}

/** Whether an eval or save with this strategy falls on `step`. */
function due(
  strategy: 'no' | 'steps' | 'epoch',
  every: number,
  step: number,
  endsEpoch: boolean,
): boolean {
  return strategy === 'steps' ? step % every === 0 : strategy === 'epoch' && endsEpoch;
}

/**
 * The trainable parameters by graph input name (a TraceContext names a shared parameter by its last
 * path). Without PEFT, a model with nothing flagged trainable is trained in full.
 */
function trainableParameters(model: TaskModel, full: boolean): [string, Parameter][] {
  const byParameter = new Map<Parameter, string>();
  for (const [name, p] of model.namedParameters()) byParameter.set(p, name);
  const all = [...byParameter].map(([p, name]): [string, Parameter] => [name, p]);
  if (full && all.every(([, p]) => !p.trainable)) for (const [, p] of all) p.trainable = true;
  const trainable = all.filter(([, p]) => p.trainable);
  if (trainable.length === 0) throw new UserError('Trainer: the model has no trainable parameter');
  return trainable;
}

/** Traces with `peft`'s adapters disabled: the reference model of a preference loss, in the same graph. */
export function withoutAdapter(peft: PeftModel): <T>(trace: () => T) => T {
  return (trace) => {
    peft.disableAdapters();
    try {
      return trace();
    } finally {
      peft.enableAdapters();
    }
  };
}

/** core's adamw_torch from the arguments; any other `optim` comes resolved through the container. */
function adamwTorch(args: TrainingArguments): AnyOptimizer {
  if (args.optim !== ADAMW_TORCH.id)
    throw new UserError(
      `optim '${args.optim}' is resolved through the plugin container: pass TrainerOptions.optimizer (resolveOptimizer)`,
    );
  return ADAMW_TORCH.create({ betas: [args.adam_beta1, args.adam_beta2], eps: args.adam_epsilon });
}
