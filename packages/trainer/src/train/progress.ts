import type { TrainerLogs, TrainerState } from '@tunekit/core';
import type { TrainBatch } from '../data/batch.js';
import type { TrainerStateFile } from './checkpoint-files.js';
import type { DataCursor } from './data-windows.js';
import type { OptimizerStepResult } from './optimizer-step.js';

/**
 * The counters of a training run that a checkpoint saves and a resume restores (HF's
 * TrainerState), plus what the current process measured (time, tokens per second).
 */
export class Progress {
  step = 0;
  cursor: DataCursor = { epoch: 0, batchIndex: 0 };
  /** Micro-batches run so far: the counter behind every random seed. */
  microStep = 0;
  numInputTokensSeen = 0;
  loss?: number;
  learningRate?: number;
  gradNorm?: number;
  readonly logHistory: Record<string, number>[] = [];
  /** Steps since the last log, their loss sum, and the loss outputs' sums over their items. */
  private logWindow = freshWindow();
  private readonly thisRun = { steps: 0, lossSum: 0, since: performance.now() };

  constructor(
    readonly maxSteps: number,
    /** The loss outputs' logged metrics from their window sums; default each sum over the items. */
    private readonly outputLogs: OutputLogs = meansOverItems,
  ) {}

  /** Records a finished optimizer step on `window`, which leaves the data at `next`. */
  advance(
    result: OptimizerStepResult,
    learningRate: number,
    window: readonly TrainBatch[],
    next: DataCursor,
  ): void {
    const tokens = window.reduce((n, b) => n + b.input_ids.size, 0);
    this.step++;
    this.cursor = next;
    this.microStep += window.length;
    this.numInputTokensSeen += tokens;
    this.loss = result.loss;
    this.gradNorm = result.gradNorm;
    this.learningRate = learningRate;
    this.logWindow.steps++;
    this.logWindow.lossSum += result.loss;
    this.logWindow.tokens += tokens;
    this.logWindow.items += result.items;
    for (const [name, sum] of Object.entries(result.sums))
      this.logWindow.sums[name] = (this.logWindow.sums[name] ?? 0) + sum;
    this.thisRun.steps++;
    this.thisRun.lossSum += result.loss;
  }

  /** The logging window's numbers (HF's `loss` is its mean), then a fresh window. */
  takeLogs(epoch: number): TrainerLogs {
    const seconds = (performance.now() - this.logWindow.since) / 1000;
    const logs: Record<string, number> = {
      loss: this.logWindow.lossSum / Math.max(1, this.logWindow.steps),
      grad_norm: this.gradNorm ?? Number.NaN,
      learning_rate: this.learningRate ?? 0,
      epoch,
      tokens_per_second: seconds > 0 ? this.logWindow.tokens / seconds : 0,
    };
    Object.assign(logs, this.outputLogs(this.logWindow.sums, this.logWindow.items));
    this.logWindow = freshWindow();
    this.record(logs);
    return logs;
  }

  /** Adds an entry to `log_history`, stamped with the step. */
  record(logs: TrainerLogs): void {
    this.logHistory.push({ ...logs, step: this.step });
  }

  /** HF's end-of-training numbers over the steps this process ran. */
  summary(): TrainerLogs {
    const runtime = (performance.now() - this.thisRun.since) / 1000;
    return {
      train_runtime: runtime,
      train_loss: this.thisRun.lossSum / Math.max(1, this.thisRun.steps),
      train_steps_per_second: runtime > 0 ? this.thisRun.steps / runtime : 0,
    };
  }

  snapshot(epoch: number, outputDir: string): TrainerState {
    return {
      step: this.step,
      maxSteps: this.maxSteps,
      epoch,
      loss: this.loss,
      learningRate: this.learningRate,
      gradNorm: this.gradNorm,
      numInputTokensSeen: this.numInputTokensSeen,
      elapsedSeconds: (performance.now() - this.thisRun.since) / 1000,
      outputDir,
    };
  }

  /** The fields of `trainer_state.json` that restore this progress. */
  toFile(epoch: number, configHash: string): TrainerStateFile {
    return {
      global_step: this.step,
      epoch,
      max_steps: this.maxSteps,
      num_input_tokens_seen: this.numInputTokensSeen,
      log_history: this.logHistory,
      data_cursor: { epoch: this.cursor.epoch, batch_index: this.cursor.batchIndex },
      logging_window: {
        steps: this.logWindow.steps,
        loss_sum: this.logWindow.lossSum,
        items: this.logWindow.items,
        sums: { ...this.logWindow.sums },
      },
      config_hash: configHash,
    };
  }

  restore(file: TrainerStateFile, microStep: number): void {
    this.step = file.global_step;
    this.cursor = { epoch: file.data_cursor.epoch, batchIndex: file.data_cursor.batch_index };
    this.microStep = microStep;
    this.numInputTokensSeen = file.num_input_tokens_seen;
    this.logHistory.push(...file.log_history);
    this.logWindow.steps = file.logging_window.steps;
    this.logWindow.lossSum = file.logging_window.loss_sum;
    this.logWindow.items = file.logging_window.items;
    Object.assign(this.logWindow.sums, file.logging_window.sums);
  }
}

/** How a loss's outputs, summed over a logging window of `items` items, become logged metrics. */
export type OutputLogs = (
  sums: Readonly<Record<string, number>>,
  items: number,
) => Record<string, number>;

/** TRL logs DPO's metrics (rewards/accuracies...) as means over the window's pairs. */
function meansOverItems(sums: Readonly<Record<string, number>>, items: number) {
  return Object.fromEntries(
    Object.entries(sums).map(([name, sum]) => [name, sum / Math.max(1, items)]),
  );
}

function freshWindow() {
  return {
    steps: 0,
    lossSum: 0,
    tokens: 0,
    items: 0,
    sums: {} as Record<string, number>,
    since: performance.now(),
  };
}
