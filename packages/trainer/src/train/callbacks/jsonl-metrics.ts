import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainerCallback, TrainerLogs, TrainerState } from '@tunekit/core';

export const METRICS_FILE = 'metrics.jsonl';

/**
 * Appends every log (training windows, evaluations, the final summary) to
 * `output_dir/metrics.jsonl`, one JSON object per line with its step. A fresh run starts the file
 * over; a resumed one appends.
 */
export class JsonlMetricsCallback implements TrainerCallback {
  readonly id = 'jsonl_metrics';

  async onTrainBegin(state: TrainerState): Promise<void> {
    await mkdir(state.outputDir, { recursive: true });
    if (state.step === 0) await writeFile(join(state.outputDir, METRICS_FILE), '');
  }

  async onLog(state: TrainerState, logs: TrainerLogs): Promise<void> {
    const line = JSON.stringify({ step: state.step, ...logs });
    await appendFile(join(state.outputDir, METRICS_FILE), `${line}\n`);
  }
}
