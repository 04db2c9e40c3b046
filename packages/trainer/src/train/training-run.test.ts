import {
  corePlugins,
  createContainer,
  ReferenceBackend,
  resolveAllOf,
  TOKENS,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { plugin } from '../plugin.js';
import { parseTrainingArguments } from './training-arguments.js';
import { createTrainingRun, TRAINER_TOKENS } from './training-run.js';

describe('createTrainingRun', () => {
  it('makes fresh built-in callbacks for each run from its typed training arguments and logger', async () => {
    const root = createContainer([...corePlugins, plugin]);
    const lines: string[] = [];
    const logger = { info: (line: string) => lines.push(line), warn() {} };
    const args = parseTrainingArguments({ early_stopping_patience: 3, disable_tqdm: false });
    const run = createTrainingRun(root, { backend: new ReferenceBackend(), logger, args });
    try {
      expect(run.resolve(TRAINER_TOKENS.TrainingArguments)).toBe(args);
      const [a, b] = [
        resolveAllOf(run, TOKENS.TrainerCallback),
        resolveAllOf(run, TOKENS.TrainerCallback),
      ];
      expect(a.map((c) => c.id)).toEqual([
        'progress_bar',
        'jsonl_metrics',
        'report',
        'early_stopping',
      ]);
      expect(a[2]).not.toBe(b[2]);
      const state = { step: 1, maxSteps: 2, elapsedSeconds: 1, numInputTokensSeen: 8 };
      // early stopping with the run's patience: three evaluations without improvement stop
      const stops = [1, 2, 2, 2].map(
        (loss) =>
          a[3].onEvaluate?.(state as never, { eval_loss: loss }) as {
            shouldTrainingStop?: boolean;
          },
      );
      expect(stops.map((s) => s.shouldTrainingStop)).toEqual([false, false, false, true]);
      // off a terminal, the progress bar's lines go to the run's logger
      await a[0].onTrainBegin?.(state as never);
      await a[0].onLog?.(state as never, { loss: 1.5 });
      expect(lines).toEqual([expect.stringMatching(/^step 1\/2 \| loss 1\.5/)]);
    } finally {
      await run.dispose();
    }
  });
});
