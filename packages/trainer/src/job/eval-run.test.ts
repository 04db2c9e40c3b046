import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeneratedSample } from '../eval/index.js';
import { EVAL_SAMPLES_FILE, readEvalRun, writeEvalRun } from './eval-run.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-eval-run-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const results = {
  created_at: '2026-12-03T00:00:00.000Z',
  model: 'models/tiny',
  data: 'eval.jsonl',
  base_dir: work,
  template: 'chatml',
  examples: 2,
  metrics: { loss: 1.5, exact_match: 0.5 },
};
const sample: GeneratedSample = {
  where: 'eval.jsonl:1',
  prompt: 'Q?',
  reference: 'A',
  prediction: 'B',
  finishReason: 'length',
  maxNewTokens: 4,
};

describe('eval runs', () => {
  it('read back as written, one sample a line', async () => {
    const dir = join(work, 'run');
    await writeEvalRun(dir, results, [sample, { ...sample, where: 'eval.jsonl:2' }]);
    const run = await readEvalRun(dir);
    expect(run.results).toEqual(results);
    expect(run.samples).toEqual([
      {
        where: 'eval.jsonl:1',
        prompt: 'Q?',
        reference: 'A',
        prediction: 'B',
        finish_reason: 'length',
      },
      {
        where: 'eval.jsonl:2',
        prompt: 'Q?',
        reference: 'A',
        prediction: 'B',
        finish_reason: 'length',
      },
    ]);
    expect((await readFile(join(dir, EVAL_SAMPLES_FILE), 'utf8')).split('\n')).toHaveLength(3);
  });

  it('name the file, line and field of a bad sample', async () => {
    const dir = join(work, 'bad');
    await writeEvalRun(dir, results, [sample]);
    await writeFile(join(dir, EVAL_SAMPLES_FILE), '{"where": "x"}\n');
    await expect(readEvalRun(dir)).rejects.toThrow(
      `${join(dir, EVAL_SAMPLES_FILE)}:1: prompt: Invalid input: expected string, received undefined`,
    );
  });
});
