import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupe, lineage, lineageText, readDataSet, writeDataFile } from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();

describe('lineage', () => {
  it('follows a data file through the manifests of the steps that made it, back to a source', async () => {
    const raw = await writeJsonl(join(work, 'raw.jsonl'), [
      { text: 'a' },
      { text: 'a' },
      { text: 'b' },
    ]);
    const data = await readDataSet(raw);
    const clean = join(work, 'clean.jsonl');
    await writeDataFile(
      clean,
      dedupe(data.records).kept.map((r) => r.raw),
      {
        flag: '--out',
        inputs: [data],
        format: 'text',
        command: 'dedupe raw',
        details: { dropped: 1 },
      },
    );
    const cleaned = await readDataSet(clean);
    const final = join(work, 'final.jsonl');
    await writeDataFile(
      final,
      cleaned.records.map((r) => r.raw),
      {
        flag: '--out',
        inputs: [cleaned],
        format: 'text',
        command: 'copy clean',
      },
    );
    const text = lineageText(await lineage(final));
    expect(text[0]).toMatch(new RegExp(`^${final} \\(sha256 [0-9a-f]{12}\\)$`));
    expect(text[1]).toMatch(/^ {2}2 records \(text\), made .* by: copy clean$/);
    expect(text[2]).toMatch(new RegExp(`^ {4}${clean} \\(sha256 [0-9a-f]{12}\\)$`));
    expect(text[3]).toMatch(/^ {6}2 records \(text\), made .* by: dedupe raw$/);
    expect(text[4]).toBe('      dropped 1');
    expect(text[5]).toMatch(new RegExp(`^ {8}${raw} \\(sha256 [0-9a-f]{12}\\)$`));
    expect(text[6]).toBe('          no manifest: a source');
  });

  it('names a folder that is no training run, and a path that is nothing', async () => {
    await expect(lineage(work)).rejects.toThrow(
      `${work}: no training_record.json; lineage reads what tunekit train writes`,
    );
    await expect(lineage(join(work, 'nope'))).rejects.toThrow(/nope: no such file or folder/);
  });

  it('reads a run’s data files from its training record', async () => {
    const run = join(work, 'run');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(run);
    await writeFile(
      join(run, 'training_record.json'),
      JSON.stringify({
        base_model: 'tiny',
        created_at: '2026-12-03T00:00:00.000Z',
        global_step: 5,
        config: {},
        data: { inputs: [{ split: 'train', path: '/d/train.jsonl', sha256: 'ab'.repeat(32) }] },
      }),
    );
    expect(lineageText(await lineage(run))).toEqual([
      `${run}: trained on tiny, 5 steps, 2026-12-03T00:00:00.000Z`,
      `  train: /d/train.jsonl (sha256 ${'ab'.repeat(6)})`,
      '    no manifest: a source',
    ]);
  });
});
