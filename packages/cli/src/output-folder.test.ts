import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOutputFolder } from './output-folder.js';

let work: string;
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A base model folder with one weight file, and an adapter folder beside it. */
async function folders(): Promise<{ base: string; adapter: string }> {
  work = await mkdtemp(join(tmpdir(), 'tunekit-out-'));
  const base = join(work, 'base');
  const adapter = join(work, 'adapter');
  await mkdir(base);
  await mkdir(adapter);
  await writeFile(join(base, 'model.safetensors'), 'base weights');
  return { base, adapter };
}

const writeMerged = (dir: string) => writeFile(join(dir, 'model.safetensors'), 'merged');

describe('writeOutputFolder', () => {
  it('refuses the base folder however it is spelled, which a merge used to overwrite', async () => {
    const { base, adapter } = await folders();
    await symlink(base, join(work, 'alias'));
    const opts = { flag: '--out', overwrite: true, inputs: [base, adapter] };
    for (const out of [base, `${base}/`, join(adapter, '..', 'base'), join(work, 'alias')]) {
      const written = writeOutputFolder(out, opts, writeMerged);
      await expect(written).rejects.toThrow(UserError);
      await expect(written).rejects.toThrow(`--out: ${out} is the input folder ${base}`);
    }
    // nor a folder inside the base, nor one that holds it (replacing it would delete the base)
    await expect(writeOutputFolder(join(base, 'merged'), opts, writeMerged)).rejects.toThrow(
      'lies inside the input folder',
    );
    await expect(writeOutputFolder(work, opts, writeMerged)).rejects.toThrow(
      `--out: ${work} holds the input folder ${base}`,
    );
    expect(await readFile(join(base, 'model.safetensors'), 'utf8')).toBe('base weights');
  });

  it('refuses a folder holding files unless overwrite, then replaces it whole', async () => {
    const { base } = await folders();
    const out = join(work, 'other-model');
    await mkdir(out);
    await writeFile(join(out, 'config.json'), '{}');
    const opts = { flag: '--out', overwrite: false, inputs: [base] };
    await expect(writeOutputFolder(out, opts, writeMerged)).rejects.toThrow(
      `--out: ${out} already holds files (config.json); pass --overwrite to replace them`,
    );
    expect(await readdir(out)).toEqual(['config.json']);
    // a failed write leaves the old folder as it was
    const failing = writeOutputFolder(out, { ...opts, overwrite: true }, async (dir) => {
      await writeMerged(dir);
      throw new Error('out of disk');
    });
    await expect(failing).rejects.toThrow('out of disk');
    expect(await readdir(out)).toEqual(['config.json']);
    await writeOutputFolder(out, { ...opts, overwrite: true }, writeMerged);
    expect(await readdir(out)).toEqual(['model.safetensors']);
    expect((await readdir(work)).sort()).toEqual(['adapter', 'base', 'other-model']);
  });

  it('writes into a new or empty folder without --overwrite', async () => {
    const { base } = await folders();
    await mkdir(join(work, 'empty'));
    for (const out of [join(work, 'empty'), join(work, 'new', 'nested')]) {
      await writeOutputFolder(
        out,
        { flag: '--out', overwrite: false, inputs: [base] },
        writeMerged,
      );
      expect(await readdir(out)).toEqual(['model.safetensors']);
    }
  });
});
