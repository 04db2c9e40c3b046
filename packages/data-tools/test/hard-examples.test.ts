import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedSample } from '@tunekit/trainer';
import { readEvalRun, writeEvalRun } from '@tunekit/trainer';
import { describe, expect, it } from 'vitest';
import { hardExamples, sampleScore } from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();
const qa = [
  { prompt: 'Capital of France?', completion: 'Paris' },
  { prompt: 'Capital of Italy?', completion: 'Rome' },
  { prompt: 'Largest planet?', completion: 'Jupiter is the largest planet' },
];
await writeJsonl(join(work, 'eval.jsonl'), qa);

const sample = (line: number, prediction: string): GeneratedSample => ({
  where: `eval.jsonl:${line}`,
  prompt: `<prompt ${line}>`,
  reference: qa[line - 1]?.completion ?? '',
  prediction,
  finishReason: 'eos',
  maxNewTokens: 16,
});

async function evalRun(name: string, samples: GeneratedSample[]) {
  const dir = join(work, name);
  await writeEvalRun(
    dir,
    {
      created_at: '2026-12-03T00:00:00.000Z',
      model: 'models/tiny',
      data: 'eval.jsonl',
      base_dir: work,
      template: 'chatml',
      examples: 3,
      metrics: { exact_match: 1 / 3 },
    },
    samples,
  );
  return readEvalRun(dir);
}

describe('hard examples', () => {
  it('an eval run reads back as written', async () => {
    const run = await evalRun('run-a', [sample(1, 'Paris')]);
    expect(run.samples).toEqual([
      {
        where: 'eval.jsonl:1',
        prompt: '<prompt 1>',
        reference: 'Paris',
        prediction: 'Paris',
        finish_reason: 'eos',
      },
    ]);
    expect(run.results.metrics).toEqual({ exact_match: 1 / 3 });
  });

  it('picks the records whose answer failed, by exact match or a ROUGE-L threshold', async () => {
    const run = await evalRun('run-b', [
      sample(1, ' Paris '),
      sample(2, 'rome.'),
      sample(3, 'Jupiter is the biggest'),
    ]);
    const exact = await hardExamples(run, { metric: 'exact_match' });
    expect(exact.records.map((r) => r.where)).toEqual(['eval.jsonl:2', 'eval.jsonl:3']);
    expect(exact).toMatchObject({ samples: 3, failed: 2 });
    expect(exact.records[0]?.conversation.response).toBe('Rome');
    const normalized = await hardExamples(run, { metric: 'exact_match_normalized' });
    expect(normalized.records.map((r) => r.where)).toEqual(['eval.jsonl:3']);
    // ROUGE-L F of "jupiter is the biggest" against "jupiter is the largest planet": 2*(3/4*3/5)/(3/4+3/5) = 2/3
    const score = sampleScore(
      {
        where: 'eval.jsonl:3',
        prompt: '',
        reference: 'Jupiter is the largest planet',
        prediction: 'Jupiter is the biggest',
        finish_reason: 'eos',
      },
      { metric: 'rougeL' },
    );
    expect(score.score).toBeCloseTo(2 / 3);
    // ROUGE-L lower-cases and drops punctuation, so "rome." scores 1
    const rouge = await hardExamples(run, { metric: 'rougeL', threshold: 0.7 });
    expect(rouge.records.map((r) => r.where)).toEqual(['eval.jsonl:3']);
    const lenient = await hardExamples(run, { metric: 'rougeL', threshold: 0.6 });
    expect(lenient.records).toEqual([]);
  });

  it('refuses a run whose eval data changed after it, and a folder that is no run', async () => {
    const dir = join(work, 'changed');
    await writeJsonl(join(work, 'changed.jsonl'), qa.slice(0, 1));
    const run = await evalRun('run-c', [sample(2, 'Milan')]);
    await expect(
      hardExamples(
        { ...run, results: { ...run.results, data: 'changed.jsonl' } },
        { metric: 'exact_match' },
      ),
    ).rejects.toThrow(
      /answered eval\.jsonl:2, which the data no longer holds; the eval data changed after the run/,
    );
    await writeFile(
      join(work, 'eval.jsonl'),
      `${JSON.stringify(qa[0])}\n${JSON.stringify({ prompt: 'Capital of Italy?', completion: 'Roma' })}\n`,
    );
    await expect(hardExamples(run, { metric: 'exact_match' })).rejects.toThrow(
      'which now has another answer',
    );
    await expect(readEvalRun(dir)).rejects.toThrow(
      `${join(dir, 'eval_results.json')}: cannot read it (ENOENT); an eval run is a folder that tunekit eval --out wrote`,
    );
  });
});
