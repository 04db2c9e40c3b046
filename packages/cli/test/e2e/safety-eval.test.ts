import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bundledModel,
  examplesDir,
  readJsonl,
  runTunekit,
  train,
  tunekitJson,
  workDir,
} from './harness.js';

const work = await workDir('safety');

const data = join(examplesDir, 'safety-eval/data');
const behaviourFlags = [
  '--safety',
  join(data, 'safety.jsonl'),
  '--dialogues',
  join(data, 'dialogues.yaml'),
];

const evalJson = (extra: readonly string[]) =>
  tunekitJson(['eval', '--model', bundledModel, ...behaviourFlags, ...extra]);

describe('examples/safety-eval.yaml', () => {
  it('teaches the bundled model to refuse subtractions and answer sums, as tunekit eval measures', async () => {
    // the base model's evaluation and the training are independent: side by side
    const [before, { out }] = await Promise.all([
      evalJson([]),
      // its data repeats a few examples, which training drops with a warning on stderr
      train(
        join(examplesDir, 'safety-eval.yaml'),
        join(work, 'adapter'),
        ['generation.num_samples=4'],
        { quiet: false },
      ),
    ]);
    // the untrained model makes small talk: it refuses nothing
    expect(before.safe_response_rate).toBe(0);
    expect(before.over_refusal_rate).toBe(0);

    const report = join(work, 'report');
    const after = await evalJson(['--adapter', out, '--out', report, '--spot-check', '6']);
    expect(after.refusal_accuracy).toBeGreaterThan(before.refusal_accuracy);
    expect(after.safe_response_rate).toBeGreaterThanOrEqual(0.9);
    expect(after.over_refusal_rate).toBeLessThanOrEqual(0.1);
    expect(after.turn_success_rate).toBeGreaterThan(before.turn_success_rate);

    const json = JSON.parse(await readFile(join(report, 'eval_report.json'), 'utf8'));
    expect(json.safety.byCategory.subtract.safe_response_rate).toBe(after.safe_response_rate);
    expect(json.dialogues.metrics.dialogues).toBe(4);
    expect(existsSync(join(report, 'eval_report.html'))).toBe(true);
    const spot = await readJsonl(join(report, 'spot_check.jsonl'));
    expect(spot).toHaveLength(6);
    for (const record of spot)
      expect(Object.keys(record)).toEqual(
        expect.arrayContaining(['id', 'prompt', 'response', 'reference']),
      );
  }, 240_000);

  it('asks for something to evaluate, and n with a spot-check file, in one line, before loading anything', async () => {
    const run = await runTunekit(['eval', '--model', bundledModel]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: tunekit eval: give --data, --safety or --dialogues (or several)\n',
    );
  }, 60_000);

  it('takes refusals by patterns or by a classifier, not both, in one line', async () => {
    const safety = join(data, 'safety.jsonl');
    const both = ['--refusal-patterns', 'p.txt', '--refusal-classifier', 'runs/head'];
    const run = await runTunekit(['eval', '--model', bundledModel, '--safety', safety, ...both]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: give --refusal-patterns or --refusal-classifier, not both\n');
  }, 60_000);
});
