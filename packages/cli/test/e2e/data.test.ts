import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataManifest } from '@tunekit/core';
import type { DataStats } from '@tunekit/data-tools';
import { instructionRejection } from '@tunekit/data-tools';
import { rougeL, rougeTokenize } from '@tunekit/trainer';
import { describe, expect, it } from 'vitest';
import {
  bundledModel,
  examplesDir,
  jsonl,
  readJson,
  readJsonl,
  runTunekit,
  workDir,
} from './harness.js';

const work = await workDir('data');

const quickstartTrain = join(examplesDir, 'quickstart/data/train.jsonl');

describe('tunekit data', () => {
  it('stats: the quickstart data in tokens as training renders it, and a page', async () => {
    const page = join(work, 'stats.html');
    const run = await runTunekit([
      'data',
      'stats',
      quickstartTrain,
      '--model',
      bundledModel,
      '--max-length',
      '24',
      '--json',
      '--html',
      page,
    ]);
    expect(run.stderr).toBe(`wrote ${page}\n`);
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout) as DataStats;
    expect(stats).toMatchObject({
      format: 'messages',
      records: 2000,
      invalid: 0,
      roles: { user: 2000, assistant: 2000 },
    });
    expect(stats.record_tokens?.max).toBeGreaterThan(10);
    expect(stats.over_max_length).toBeGreaterThanOrEqual(0);
    expect(stats.refusal_ratio).toBe(0);
    expect(await readFile(page, 'utf8')).toContain('<h2>Record length (tokens, rendered)</h2>');
  });

  it('dedupe, then split: files with manifests that chain back to the source, nothing overwritten', async () => {
    const raw = join(work, 'raw.jsonl');
    await writeFile(
      raw,
      jsonl([
        { instruction: 'Name a colour', input: '', output: 'Red', task: 'a' },
        { instruction: 'name a  colour', input: '', output: 'red', task: 'a' },
        { instruction: 'Name a fruit', input: '', output: 'Apple', task: 'b' },
        { instruction: 'Name a short fruit', input: '', output: 'Fig', task: 'b' },
        { instruction: 'Count to three', input: '', output: '1 2 3', task: 'a' },
        { instruction: 'Spell cat', input: '', output: 'c a t', task: 'b' },
      ]),
    );
    const clean = join(work, 'clean.jsonl');
    const deduped = await runTunekit([
      'data',
      'dedupe',
      raw,
      '--out',
      clean,
      '--on',
      'instruction',
      '--rouge-l',
      '0.7',
    ]);
    expect(deduped.stderr).toBe('');
    expect(deduped.stdout).toBe(
      `${clean}: kept 4 of 6 records (dropped 1 exact, 0 near, 1 by ROUGE-L; 0 invalid left out)\n`,
    );
    expect((await readJsonl(clean)).map((r) => r.output)).toEqual([
      'Red',
      'Apple',
      '1 2 3',
      'c a t',
    ]);
    const manifest = await readJson<DataManifest>(`${clean}.manifest.json`);
    expect(manifest).toMatchObject({
      file: 'clean.jsonl',
      records: 4,
      format: 'alpaca',
      command: `tunekit data dedupe ${raw} --out ${clean} --on instruction --rouge-l 0.7`,
      details: { dropped: { exact: 1, near: 0, 'rouge-l': 1 } },
    });
    expect(manifest.inputs).toEqual([
      { path: raw, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);

    const again = await runTunekit(['data', 'dedupe', raw, '--out', clean]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `error: --out: ${clean} already exists; pass --overwrite to replace it\n`,
    );
    const onInput = await runTunekit(['data', 'dedupe', raw, '--out', raw]);
    expect(onInput.stderr).toMatch(
      /^error: --out: .*raw\.jsonl is an input file; write to another file/,
    );

    const [train, evalFile] = ['train.jsonl', 'eval.jsonl'].map((f) => join(work, f));
    const split = await runTunekit([
      'data',
      'split',
      clean,
      '--train',
      train,
      '--eval',
      evalFile,
      '--eval-size',
      '2',
      '--stratify',
      'task',
    ]);
    expect(split.stdout).toBe(
      `${train}: 2 records; ${evalFile}: 2 records\n  task=a: 1 train, 1 eval\n  task=b: 1 train, 1 eval\n`,
    );
    const evalManifest = await readJson<DataManifest>(`${evalFile}.manifest.json`);
    expect(evalManifest.inputs[0]?.manifest).toEqual(manifest);
  });

  it('convert: LLaMA-Factory data through its dataset_info.json into ShareGPT that stats reads back', async () => {
    await writeFile(
      join(work, 'lf.json'),
      JSON.stringify([
        { q: 'Hi', a: 'Hello' },
        { q: 'Bye', a: 'Ciao' },
      ]),
    );
    await writeFile(
      join(work, 'dataset_info.json'),
      JSON.stringify({ greet: { file_name: 'lf.json', columns: { prompt: 'q', response: 'a' } } }),
    );
    const out = join(work, 'greet.jsonl');
    const run = await runTunekit([
      'data',
      'convert',
      '--dataset-info',
      join(work, 'dataset_info.json'),
      '--dataset',
      'greet',
      '--to',
      'sharegpt',
      '--out',
      out,
    ]);
    expect(run.stdout).toBe(`${out}: 2 records, alpaca to sharegpt\n`);
    expect(await readJsonl(out)).toEqual([
      {
        conversations: [
          { from: 'human', value: 'Hi' },
          { from: 'gpt', value: 'Hello' },
        ],
      },
      {
        conversations: [
          { from: 'human', value: 'Bye' },
          { from: 'gpt', value: 'Ciao' },
        ],
      },
    ]);
    const stats = await runTunekit(['data', 'stats', out]);
    expect(stats.stdout).toContain(`${out}: 2 records (sharegpt), 0 invalid`);
  });

  it('mix and filter: weights, one format, and rules', async () => {
    const a = join(work, 'a.jsonl');
    const b = join(work, 'b.jsonl');
    await writeFile(
      a,
      jsonl([
        { prompt: 'p1', completion: 'one two three' },
        { prompt: 'p2', completion: "I'm sorry, I can't help with that." },
      ]),
    );
    await writeFile(
      b,
      jsonl([
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
        },
      ]),
    );
    const mixed = join(work, 'mixed.jsonl');
    const refused = await runTunekit(['data', 'mix', a, b, '--out', mixed]);
    expect(refused.stderr).toBe(
      'error: the sources are in prompt_completion and messages; pass --to <format> to write them in one\n',
    );
    const run = await runTunekit([
      'data',
      'mix',
      a,
      b,
      '--weights',
      '1,2',
      '--size',
      '6',
      '--to',
      'messages',
      '--out',
      mixed,
    ]);
    expect(run.stdout).toBe(`${mixed}: 6 records (2 from ${a}, 4 from ${b})\n`);
    const kept = join(work, 'kept.jsonl');
    const filtered = await runTunekit([
      'data',
      'filter',
      mixed,
      '--drop-refusals',
      '--min-words',
      '2',
      '--out',
      kept,
    ]);
    expect(filtered.stdout).toBe(`${kept}: kept 1 of 6 records (dropped 4 min_words, 1 refusal)\n`);
    expect(existsSync(`${kept}.manifest.json`)).toBe(true);
  });

  it('agreement: Cohen’s kappa and Krippendorff’s alpha from two annotators’ files', async () => {
    // Wikipedia's kappa example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no gives 0.4
    const labels = (pattern: [string, number][]) =>
      pattern
        .flatMap(([label, n]) => new Array<string>(n).fill(label))
        .map((label, id) => ({ id, label }));
    await writeFile(
      join(work, 'ann1.jsonl'),
      jsonl(
        labels([
          ['yes', 25],
          ['no', 25],
        ]),
      ),
    );
    await writeFile(
      join(work, 'ann2.jsonl'),
      jsonl(
        labels([
          ['yes', 20],
          ['no', 5],
          ['yes', 10],
          ['no', 15],
        ]),
      ),
    );
    const run = await runTunekit([
      'data',
      'agreement',
      join(work, 'ann1.jsonl'),
      join(work, 'ann2.jsonl'),
      '--label',
      'label',
    ]);
    expect(run.stdout).toBe(
      "label: 50 items, Cohen's kappa 0.400, Krippendorff's alpha 0.400, 15 disagreements\n",
    );
  });

  it('self-instruct: the pipeline runs with the bundled model, its filters hold for what it keeps', async () => {
    const seedInstructions = ['What is 12 plus 30?', 'Add 45 and 19 together.', 'What is 7 + 8?'];
    const seeds = join(work, 'seed_tasks.jsonl');
    await writeFile(
      seeds,
      jsonl(
        seedInstructions.map((instruction, i) => ({
          id: `seed_task_${i}`,
          name: `sum_${i}`,
          instruction,
          instances: [{ input: '', output: 'x' }],
          is_classification: false,
        })),
      ),
    );
    const out = join(work, 'self-instruct.jsonl');
    const run = await runTunekit([
      'data',
      'self-instruct',
      '--seed',
      seeds,
      '--model',
      bundledModel,
      '--out',
      out,
      '--count',
      '3',
      '--max-rounds',
      '2',
      '--prompts-per-round',
      '2',
      '--prompt-tasks',
      '2',
      '--max-new-tokens',
      '16',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`^${out}: \\d+ new instructions from \\d+ generated in 2 rounds`),
    );
    const manifest = await readJson<DataManifest>(`${out}.manifest.json`);
    expect(manifest).toMatchObject({
      format: 'alpaca',
      details: { model: bundledModel, rounds: 2 },
    });
    expect(manifest.inputs).toEqual([
      { path: seeds, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const details = manifest.details as { generated: number; dropped: Record<string, number> };
    const dropped = Object.values(details.dropped).reduce((a, b) => a + b, 0);
    expect(manifest.records + dropped).toBe(details.generated);
    const kept = manifest.records === 0 ? [] : await readJsonl(out);
    const pool = seedInstructions.map(rougeTokenize);
    for (const record of kept) {
      expect(record).toMatchObject({ input: '', output: expect.stringMatching(/\S/) });
      expect(instructionRejection(record.instruction)).toBeUndefined();
      const tokens = rougeTokenize(record.instruction);
      for (const other of pool) expect(rougeL(other, tokens).fmeasure).toBeLessThanOrEqual(0.7);
      pool.push(tokens);
    }
  });
});
