import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { writeFolderAtomically } from './atomic-folder.js';
import { checkOutputPath, isInside } from './output-path.js';
import { useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

describe('checkOutputPath', () => {
  it('refuses kernel file systems at once, also through a symlink (mkdir spins on procfs)', async () => {
    await expect(checkOutputPath('/proc/self/runs', 'output_dir')).rejects.toThrow(
      /^output_dir: \/proc\/self\/runs is under \/proc, a kernel file system/,
    );
    await expect(checkOutputPath('/sys/x', 'output_dir')).rejects.toThrow(/under \/sys/);
    const dir = await tempDir();
    await symlink('/proc/self', join(dir, 'link'));
    await expect(checkOutputPath(join(dir, 'link', 'run'), '--out')).rejects.toThrow(
      /^--out: .*link\/run is under \/proc/,
    );
  });

  it('names a file standing where the folder should be, or above it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'mine');
    await expect(checkOutputPath(file, 'output_dir')).rejects.toThrow(
      new UserError(`output_dir: ${file} is a file, not a folder; name a folder to write into`),
    );
    await expect(checkOutputPath(join(file, 'a', 'b'), 'output_dir')).rejects.toThrow(
      `lies under ${file}, which is a file`,
    );
  });

  it('returns the real path of a folder that exists only in part', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'alias'));
    const real = await checkOutputPath(join(dir, 'alias', 'run', '..', 'run2/'), 'output_dir');
    expect(real.endsWith(join('real', 'run2'))).toBe(true);
    expect(isInside(real, join(real, '..'))).toBe(true);
    expect(isInside(join(real, '..'), real)).toBe(false);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
  });
});

describe('writeFolderAtomically', () => {
  it('replaces a folder only once the new one is complete', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'old.txt'), 'old');
    await expect(
      writeFolderAtomically(out, async (tmp) => {
        await writeFile(join(tmp, 'half.txt'), 'half');
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(await readdir(dir)).toEqual(['out']);
    expect(await readdir(out)).toEqual(['old.txt']);

    await writeFolderAtomically(out, (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
    expect(await readdir(dir)).toEqual(['out']);
    expect(await readdir(out)).toEqual(['new.txt']);
    expect(await readFile(join(out, 'new.txt'), 'utf8')).toBe('new');
  });
});
