import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReferenceBackend, type TrainerCallback } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import type { TrainerEvaluation } from '../evaluate-fn.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  tempDir,
  testArgs,
  tinyLora,
} from '../test-utils.js';
import { Trainer, type TrainerOptions } from '../trainer.js';
import type { TrainingArgumentsInput } from '../training-arguments.js';
import { EarlyStoppingCallback } from './early-stopping.js';
import { ProgressBarCallback } from './progress-bar.js';
import { ReportCallback } from './report.js';

const rows = countingRows(4, 6);
const batches = [makeBatch(rows.slice(0, 2), 6), makeBatch(rows.slice(2), 6)];

async function train(
  args: TrainingArgumentsInput,
  callbacks: TrainerCallback[],
  evaluate?: TrainerOptions['evaluate'],
) {
  const { model, peft } = tinyLora();
  return new Trainer({
    backend: new ReferenceBackend(),
    model,
    peft,
    args: testArgs({ learning_rate: 1e-2, output_dir: await tempDir(), ...args }),
    trainData: plansOf(batches),
    callbacks,
    evaluate,
  }).train();
}

/** An evaluation whose loss follows `losses`, one per call, with a sample generation. */
function scripted(losses: readonly number[]): () => Promise<TrainerEvaluation> {
  let call = 0;
  return async () => {
    const loss = losses[Math.min(call, losses.length - 1)];
    call++;
    return {
      metrics: { loss },
      samples: [{ prompt: 'Say <b>hi</b>', reference: 'hi', prediction: `answer #${call}` }],
    };
  };
}

describe('trainer callbacks', () => {
  it('run in the order of transformers hooks', async () => {
    const recorder = new Recorder();
    await train(
      {
        max_steps: 4,
        logging_steps: 2,
        eval_strategy: 'steps',
        eval_steps: 2,
        eval_on_start: true,
        save_strategy: 'steps',
        save_steps: 4,
      },
      [recorder],
      scripted([3, 2, 1]),
    );
    expect(recorder.calls).toEqual([
      'train_begin',
      'log:eval:0',
      'evaluate:0',
      'step_end:1',
      'step_end:2',
      'log:train:2',
      'log:eval:2',
      'evaluate:2',
      'step_end:3',
      'step_end:4',
      'log:train:4',
      'log:eval:4',
      'evaluate:4',
      'save:4',
      'log:summary:4',
      'train_end',
    ]);
    expect(recorder.logs[0]).toEqual({ eval_loss: 3, epoch: 0 });
    expect(Object.keys(recorder.logs[1]).sort()).toEqual([
      'epoch',
      'grad_norm',
      'learning_rate',
      'loss',
      'tokens_per_second',
    ]);
  });

  it('call each hook on every callback in registration order', async () => {
    const order: string[] = [];
    const named = (id: string): TrainerCallback => ({
      id,
      onStepEnd: (state) => {
        order.push(`${id}:${state.step}`);
      },
    });
    await train({ max_steps: 2 }, [named('a'), named('b')]);
    expect(order).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
  });

  it('stop training early when the eval metric stops improving', async () => {
    const recorder = new Recorder();
    const out = await train(
      { max_steps: 10, eval_strategy: 'steps', eval_steps: 1 },
      [recorder, new EarlyStoppingCallback({ patience: 2 })],
      scripted([1, 0.9, 0.95, 0.96, 0.5]),
    );
    // best at step 2; steps 3 and 4 do not improve on it
    expect(out.globalStep).toBe(4);
  });

  it('early stopping names the metric it could not find', async () => {
    await expect(
      train(
        { max_steps: 2, eval_strategy: 'steps', eval_steps: 1 },
        [new EarlyStoppingCallback({ patience: 1, metric: 'exact_match' })],
        scripted([1]),
      ),
    ).rejects.toThrow(/watches 'eval_exact_match' .* reported only: eval_loss/);
  });

  it('print plain progress lines when the stream is not a terminal', async () => {
    const written: string[] = [];
    const stream = {
      isTTY: false,
      write: (text: string) => written.push(text) > 0,
    } as unknown as NodeJS.WriteStream;
    await train(
      {
        max_steps: 4,
        logging_steps: 2,
        eval_strategy: 'steps',
        eval_steps: 4,
        lr_scheduler_type: 'constant',
      },
      [new ProgressBarCallback({ stream })],
      scripted([1.5]),
    );
    const lines = written.join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^step 2\/4 \| loss [\d.]+ \| lr 0\.01 \| \d+ tok\/s \| ETA \d+:\d\d$/,
    );
    expect(lines[1]).toMatch(/^step 4\/4 \| loss /);
    expect(lines[2]).toBe('step 4: eval_loss 1.5');
  });
});

describe('report.html', () => {
  it('holds the loss, learning-rate and eval curves, uPlot inlined, and the samples', async () => {
    const output_dir = await tempDir();
    await train(
      {
        output_dir,
        max_steps: 4,
        lr_scheduler_type: 'linear',
        eval_strategy: 'steps',
        eval_steps: 2,
        eval_on_start: true,
      },
      [new ReportCallback('my run')],
      scripted([3, 2, 1]),
    );
    const html = await readFile(join(output_dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>my run</title>');
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '',
    );
    expect(data.training.steps).toEqual([1, 2, 3, 4]);
    expect(data.training.loss).toHaveLength(4);
    expect(data.training.learning_rate).toHaveLength(4);
    expect(data.evalCurves).toEqual([{ name: 'eval_loss', steps: [0, 2, 4], values: [3, 2, 1] }]);
    // uPlot and the page script are inlined: the page opens offline from this one file
    expect(html).toContain('var uPlot=');
    expect(html).toMatch(/Copyright .* Leon Sorokin\s+Permission is hereby granted/);
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/<script[^>]* src=|<link /);
    // the prompt is escaped; the first evaluation is "before", the last "after"
    expect(html).toContain('Say &lt;b&gt;hi&lt;/b&gt;');
    expect(html).not.toContain('<b>hi</b>');
    expect(html).toMatch(/answer #1.*answer #3.*<pre>hi<\/pre>/s);
  });
});
