import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundledModel, examplesDir, runTunekit, workDir } from './harness.js';

const work = await workDir('export-config');

describe('tunekit export-config', () => {
  it('writes an axolotl YAML whose paths are relative to it, warning about what it leaves out', async () => {
    const out = join(work, 'quickstart.axolotl.yaml');
    const config = join(examplesDir, 'quickstart.yaml');
    const run = await runTunekit([
      'export-config',
      config,
      '--to',
      'axolotl',
      '--out',
      out,
      '--set',
      'seed=7',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote ${out} (axolotl)\n`);
    expect(run.stderr).toMatch(/^warning: eval_on_start: not carried to axolotl/m);
    const written = parse(await readFile(out, 'utf8'), { version: '1.1' });
    expect(written.seed).toBe(7);
    // relative to the written file's folder, so the job runs from there
    expect(resolve(work, written.datasets[0].path)).toBe(
      join(examplesDir, 'quickstart/data/train.jsonl'),
    );
    expect(resolve(work, written.base_model)).toBe(bundledModel);
  });

  it('ends with a one-line error for a setting that would change the training', async () => {
    const run = await runTunekit([
      'export-config',
      join(examplesDir, 'quickstart.yaml'),
      '--to',
      'trl',
      '--set',
      'rdrop_alpha=0.5',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    // the error is the last line, after the warnings
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: rdrop_alpha: 0.5 has no TRL equivalent/,
    );
  });
});
