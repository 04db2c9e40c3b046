import type { TrainerCallback, TrainerLogs, TrainerState } from '@tunekit/core';
import cliProgress from 'cli-progress';
import { formatDuration, formatNumber } from './format.js';

export interface ProgressBarOptions {
  /** Where to draw; process.stdout by default. */
  readonly stream?: NodeJS.WriteStream;
  /** transformers' `disable_tqdm`. */
  readonly disabled?: boolean;
  /** Where the plain lines go when no bar is drawn (off a terminal); `stream` by default. */
  readonly log?: (line: string) => void;
}

/**
 * The progress bar (HF's ProgressCallback): steps, loss, learning rate, tokens/s and ETA, redrawn
 * every step on a terminal. Off a terminal (a log file, CI) it prints one plain line per logging
 * step instead, and in both cases one line per evaluation.
 */
export class ProgressBarCallback implements TrainerCallback {
  readonly id = 'progress_bar';
  private readonly stream: NodeJS.WriteStream;
  private bars?: cliProgress.MultiBar;
  private bar?: cliProgress.SingleBar;
  /** Step and tokens when this process began, for rates that ignore resumed steps. */
  private start = { step: 0, tokens: 0 };

  constructor(private readonly opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stdout;
  }

  onTrainBegin(state: TrainerState): void {
    if (this.opts.disabled) return;
    this.start = { step: state.step, tokens: state.numInputTokensSeen };
    if (!this.stream.isTTY) return;
    this.bars = new cliProgress.MultiBar(
      {
        stream: this.stream,
        format: '{bar} {value}/{total} | loss {loss} | lr {lr} | {tps} tok/s | ETA {eta}',
        hideCursor: false, // a run that throws must not leave the terminal without a cursor
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(state.maxSteps, state.step, this.payload(state));
  }

  onStepEnd(state: TrainerState): void {
    this.bar?.update(state.step, this.payload(state));
  }

  onLog(state: TrainerState, logs: TrainerLogs): void {
    if (this.opts.disabled) return;
    const isEval = Object.keys(logs).some((key) => key.startsWith('eval_'));
    if (isEval) this.print(`step ${state.step}: ${describeLogs(logs)}`);
    else if (!this.bar && 'loss' in logs) this.print(this.line(state, logs));
  }

  onTrainEnd(): void {
    this.bars?.stop();
    this.bars = undefined;
    this.bar = undefined;
  }

  private print(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else if (this.opts.log) this.opts.log(line);
    else this.stream.write(`${line}\n`);
  }

  /**
   * The plain form: `step 10/100 | loss 1.234 | lr 2.000e-4 | 812 tok/s | ETA 0:42`, then what else
   * the loss logged (DPO's `rewards/accuracies 0.75`...).
   */
  private line(state: TrainerState, logs: TrainerLogs): string {
    const p = this.payload(state);
    const extra = Object.entries(logs)
      .filter(([key]) => !STANDARD_LOGS.has(key))
      .map(([key, value]) => ` | ${key} ${formatNumber(value)}`)
      .join('');
    return `step ${state.step}/${state.maxSteps} | loss ${formatNumber(logs.loss)} | lr ${p.lr} | ${p.tps} tok/s | ETA ${p.eta}${extra}`;
  }

  private payload(state: TrainerState): { loss: string; lr: string; tps: string; eta: string } {
    const steps = state.step - this.start.step;
    const seconds = state.elapsedSeconds;
    const tokensPerSecond =
      seconds > 0 ? (state.numInputTokensSeen - this.start.tokens) / seconds : 0;
    const eta = steps > 0 ? (seconds / steps) * (state.maxSteps - state.step) : Number.NaN;
    return {
      loss: state.loss === undefined ? '-' : formatNumber(state.loss),
      lr: state.learningRate === undefined ? '-' : formatNumber(state.learningRate),
      tps: Math.round(tokensPerSecond).toString(),
      eta: formatDuration(eta),
    };
  }
}

/** The keys every training log has (Progress.takeLogs); the plain line shows the others too. */
const STANDARD_LOGS = new Set(['loss', 'grad_norm', 'learning_rate', 'epoch', 'tokens_per_second']);

/** `eval_loss 1.234 | eval_exact_match 0.5` with the epoch left out. */
function describeLogs(logs: TrainerLogs): string {
  return Object.entries(logs)
    .filter(([key]) => key !== 'epoch')
    .map(([key, value]) => `${key} ${formatNumber(value)}`)
    .join(' | ');
}
