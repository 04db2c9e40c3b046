import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  atomicWrite,
  type GenerationSample,
  type MetricValues,
  type TrainerCallback,
  type TrainerState,
} from '@tunekit/core';
import { type ReportData, reportHtml } from './report-html.js';

export const REPORT_FILE = 'report.html';

/**
 * Writes `output_dir/report.html` when training ends: loss, learning-rate and eval curves (drawn
 * in the page by the uPlot it inlines), the evaluations, and the sample generations of the first
 * evaluation (before training, with `eval_on_start`) beside those of the last.
 */
export class ReportCallback implements TrainerCallback {
  readonly id = 'report';
  private readonly steps: { step: number; loss: number; lr: number }[] = [];
  private readonly evals: { step: number; metrics: MetricValues }[] = [];
  private samplesBefore?: readonly GenerationSample[];
  private samplesAfter?: readonly GenerationSample[];
  private readonly sections = new Map<string, string>();

  constructor(private readonly title = 'tunekit training report') {}

  onStepEnd(state: TrainerState): void {
    if (state.loss !== undefined)
      this.steps.push({ step: state.step, loss: state.loss, lr: state.learningRate ?? 0 });
  }

  onEvaluate(
    state: TrainerState,
    metrics: MetricValues,
    samples?: readonly GenerationSample[],
  ): void {
    this.evals.push({ step: state.step, metrics });
    if (samples && samples.length > 0) {
      if (this.samplesBefore === undefined) this.samplesBefore = samples;
      else this.samplesAfter = samples;
    }
  }

  /** Sets the report's section `title` (HTML, escaped by the caller), replacing an earlier one. */
  setSection(title: string, html: string): void {
    this.sections.set(title, html);
  }

  async onTrainEnd(state: TrainerState): Promise<void> {
    await mkdir(state.outputDir, { recursive: true });
    await atomicWrite(join(state.outputDir, REPORT_FILE), reportHtml(this.data(state)));
  }

  private data(state: TrainerState): ReportData {
    const last = this.steps.at(-1);
    return {
      title: this.title,
      steps: this.steps,
      evals: this.evals,
      samplesBefore: this.samplesBefore,
      samplesAfter: this.samplesAfter,
      sections: [...this.sections].map(([title, html]) => ({ title, html })),
      summary: {
        steps: `${state.step} / ${state.maxSteps}`,
        epoch: state.epoch,
        ...(last ? { final_loss: last.loss } : {}),
        tokens: state.numInputTokensSeen,
        train_runtime: state.elapsedSeconds,
        output_dir: state.outputDir,
      },
    };
  }
}
