import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataManifest } from '@tunekit/core';
import { DEFAULT_VARIANT_FILTERS } from '@tunekit/data-tools';
import { exactMatch, rougeL, rougeTokenize } from '@tunekit/trainer';
import { describe, expect, it } from 'vitest';
import { bundledModel, jsonl, readJson, readJsonl, runTunekit, workDir } from './harness.js';

const work = await workDir('datagen');

const chat = (user: string, assistant: string) => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});

const sums = join(work, 'sums.jsonl');
await writeFile(
  sums,
  jsonl([
    chat('What is 30 + 8?', '38'),
    chat('What is 56 plus 27?', '83'),
    chat('Name a colour.', 'Red'),
    chat('What is 12 plus 30?', '42'),
  ]),
);

describe('tunekit data: generated data', () => {
  it('augment with the bundled model: every kept variant passed the filters and names its source', async () => {
    const out = join(work, 'augmented.jsonl');
    const run = await runTunekit([
      'data',
      'augment',
      sums,
      '--out',
      out,
      '--model',
      bundledModel,
      '--max-new-tokens',
      '10',
      '--per-record',
      '2',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^${out}: \\d+ new records from 4 \\(\\d+ made`));
    const manifest = await readJson<DataManifest>(`${out}.manifest.json`);
    const details = manifest.details as { produced: number; dropped: Record<string, number> };
    const records = await readJsonl(out);
    const made = records.filter((r) => r.operation !== 'source');
    const dropped = Object.values(details.dropped).reduce((a, b) => a + b, 0);
    expect(made.length + dropped).toBe(details.produced);
    expect(records.filter((r) => r.operation === 'source')).toHaveLength(4);
    // the three sums get a number swap whatever the model does; each answer is the new sum
    const swaps = made.filter((r) => r.operation === 'number_swap');
    expect(swaps.map((r) => r.source_id)).toEqual([`${sums}:1`, `${sums}:2`, `${sums}:4`]);
    for (const r of swaps) {
      const [a, b] = (r.messages[0].content.match(/\d+/g) ?? []).map(Number);
      expect(r.messages[1].content).toBe(String((a ?? 0) + (b ?? 0)));
    }
    const sources = new Map(
      records
        .filter((r) => r.operation === 'source')
        .map((r) => [r.source_id, r.messages[0].content]),
    );
    for (const r of made.filter(
      (r) => r.operation === 'paraphrase' || r.operation === 'counterfactual',
    )) {
      const score = rougeL(
        rougeTokenize(sources.get(r.source_id) ?? ''),
        rougeTokenize(r.messages[0].content),
      ).fmeasure;
      expect(score).toBeGreaterThanOrEqual(DEFAULT_VARIANT_FILTERS.minRougeL);
      expect(score).toBeLessThanOrEqual(DEFAULT_VARIANT_FILTERS.maxRougeL);
    }
    expect(manifest.inputs).toEqual([
      { path: sums, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('refusals from a policy: labelled records, the policy in the manifest; a bad policy in one line', async () => {
    const policy = join(work, 'policy.yaml');
    await writeFile(
      policy,
      [
        'categories:',
        '  - name: subtraction',
        '    description: subtracting numbers',
        '    keywords: [minus]',
        '    examples: ["What is 9 minus 4?"]',
        '    style: with_warning',
        '    warning: Subtraction is out of scope here.',
        '    near_misses: [{prompt: "What is 9 plus 4?", response: "13"}]',
        '',
      ].join('\n'),
    );
    const out = join(work, 'refusals.jsonl');
    const run = await runTunekit(['data', 'refusals', '--policy', policy, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `${out}: 3 should-refuse and 1 should-answer records in 1 categories\n`,
    );
    const records = await readJsonl(out);
    expect(records.map((r) => [r.label, r.category, r.origin])).toEqual([
      ['refuse', 'subtraction', 'policy'],
      ['refuse', 'subtraction', 'template'],
      ['refuse', 'subtraction', 'template'],
      ['answer', 'subtraction', 'policy'],
    ]);
    expect(records[0].messages[1].content).toBe(
      "I can't help with that. Subtraction is out of scope here.",
    );
    const manifest = await readJson<DataManifest>(`${out}.manifest.json`);
    expect(manifest).toMatchObject({ format: 'messages', records: 4 });
    expect(manifest.inputs.map((i) => i.path)).toEqual([policy]);
    // the trainer's reader takes the records as messages
    const stats = await runTunekit(['data', 'stats', out]);
    expect(stats.stdout).toContain(`${out}: 4 records (messages), 0 invalid`);

    await writeFile(
      policy,
      'categories:\n  - name: x\n    description: y\n    examples: [z]\n    style: loud\n',
    );
    const bad = await runTunekit([
      'data',
      'refusals',
      '--policy',
      policy,
      '--out',
      join(work, 'r2.jsonl'),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toBe(
      `error: ${policy}: categories[0].style: Invalid option: expected one of "brief"|"with_warning"|"redirect"\n`,
    );
  });

  it('eval --out, then hard-examples: the failed records with their references, traced to the run', async () => {
    const evalRun = join(work, 'eval-run');
    const evaluated = await runTunekit([
      'eval',
      '--model',
      bundledModel,
      '--data',
      sums,
      '--num-samples',
      '4',
      '--max-new-tokens',
      '4',
      '--out',
      evalRun,
    ]);
    expect(evaluated.code).toBe(0);
    const samples = await readJsonl(join(evalRun, 'eval_samples.jsonl'));
    expect(samples.map((s) => s.where)).toEqual([1, 2, 3, 4].map((n) => `${sums}:${n}`));
    const failed = samples.filter((s) => !exactMatch(s.prediction, s.reference));
    // the bundled model was not trained on sums, so it fails some of them
    expect(failed.length).toBeGreaterThan(0);
    const out = join(work, 'hard.jsonl');
    const run = await runTunekit([
      'data',
      'hard-examples',
      evalRun,
      '--out',
      out,
      '--expand',
      'rules',
    ]);
    expect(run.stderr).toBe('');
    const sumsFailed = failed.filter((s) => /\d/.test(s.reference)).length;
    expect(run.stdout).toBe(
      `${out}: ${failed.length} of 4 answers failed exact_match, ${sumsFailed} variants of them\n`,
    );
    const records = await readJsonl(out);
    const hard = records.filter((r) => r.operation === 'hard_example');
    expect(hard.map((r) => [r.source_id, r.messages[1].content])).toEqual(
      failed.map((s) => [s.where, s.reference]),
    );
    // each failed sum also comes with a number swap
    const variants = records.filter((r) => r.operation !== 'hard_example');
    expect(variants.map((r) => r.operation)).toEqual(Array(sumsFailed).fill('number_swap'));
    const manifest = await readJson<DataManifest>(`${out}.manifest.json`);
    expect(manifest.inputs.map((i) => i.path)).toEqual([
      sums,
      join(evalRun, 'eval_results.json'),
      join(evalRun, 'eval_samples.jsonl'),
    ]);
    expect(manifest.details).toMatchObject({
      metric: 'exact_match',
      samples: 4,
      failed: failed.length,
    });
  });

  it('augment --balance failures: an eval run’s failures are the hard records, kept at their share', async () => {
    // a run in which the model failed only the first sum
    const evalRun = join(work, 'eval-run-b');
    await mkdir(evalRun);
    const results = {
      created_at: '2026-12-03T00:00:00Z',
      model: 'm',
      data: sums,
      base_dir: work,
      template: 'chatml',
      examples: 4,
      metrics: {},
    };
    await writeFile(join(evalRun, 'eval_results.json'), JSON.stringify(results));
    const references = ['38', '83', 'Red', '42'];
    await writeFile(
      join(evalRun, 'eval_samples.jsonl'),
      jsonl(
        references.map((reference, i) => ({
          where: `${sums}:${i + 1}`,
          prompt: '',
          reference,
          prediction: i === 0 ? '7' : reference,
          finish_reason: 'eos',
        })),
      ),
    );
    const out = join(work, 'balanced.jsonl');
    const run = await runTunekit([
      'data',
      'augment',
      sums,
      '--out',
      out,
      '--balance',
      'failures',
      '--eval-run',
      evalRun,
      '--hard-fraction',
      '0.5',
      '--no-sources',
    ]);
    expect(run.stderr).toBe('');
    // number swaps of the three sums: one hard, two easy; half and half keeps one of each
    expect(run.stdout).toBe(`${out}: 2 new records from 4 (3 made, dropped 1 balance)\n`);
    const records = await readJsonl(out);
    expect(records.map((r) => r.source_id === `${sums}:1`).sort()).toEqual([false, true]);
  });
});
