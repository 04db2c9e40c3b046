import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledModel, examplesDir } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-cli-safety-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const data = join(examplesDir, 'safety-eval/data');
const behaviourFlags = [
  '--safety',
  join(data, 'safety.jsonl'),
  '--dialogues',
  join(data, 'dialogues.yaml'),
];

async function evalJson(extra: readonly string[]): Promise<Record<string, number>> {
  const run = await runTunekit([
    'eval',
    '--model',
    bundledModel,
    ...behaviourFlags,
    ...extra,
    '--json',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, number>;
}

describe('examples/safety-eval.yaml', () => {
  it('teaches the bundled model to refuse subtractions and answer sums, as tunekit eval measures', async () => {
    const before = await evalJson([]);
    // the untrained model makes small talk: it refuses nothing
    expect(before.safe_response_rate).toBe(0);
    expect(before.over_refusal_rate).toBe(0);

    const out = join(work, 'adapter');
    const train = await runTunekit([
      'train',
      join(examplesDir, 'safety-eval.yaml'),
      '--set',
      `output_dir=${out}`,
      '--set',
      'generation.num_samples=4',
    ]);
    expect(train.code).toBe(0);

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
    const spot = (await readFile(join(report, 'spot_check.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(spot).toHaveLength(6);
    for (const line of spot)
      expect(Object.keys(JSON.parse(line))).toEqual(
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
