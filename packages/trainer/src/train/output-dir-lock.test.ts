import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockOutputDir } from './output-dir-lock.js';
import { tempDir } from './test-utils.js';

/** The pid of a process that has ended: a child that exits at once. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('no child process');
  return child.pid;
}

describe('lockOutputDir', () => {
  it('lets only one run into a folder, naming the folder and the pid that holds it', async () => {
    const dir = await tempDir();
    const warnings: string[] = [];
    const lock = await lockOutputDir(dir, (w) => warnings.push(w));
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    const second = lockOutputDir(dir, (w) => warnings.push(w));
    await expect(second).rejects.toThrow(UserError);
    await expect(second).rejects.toThrow(
      `output_dir: ${dir} is in use by another training run (pid ${process.pid}`,
    );
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // released: the next run gets it
    await (await lockOutputDir(dir, (w) => warnings.push(w))).release();
    expect(warnings).toEqual([]);
  });

  it('takes over the lock of a killed run, saying so', async () => {
    const dir = await tempDir();
    const pid = deadPid();
    await writeFile(join(dir, LOCK_FILE), `${pid}\n`);
    const warnings: string[] = [];
    const lock = await lockOutputDir(dir, (w) => warnings.push(w));
    expect(warnings).toEqual([expect.stringContaining(`took over the lock`)]);
    expect(warnings[0]).toContain(`pid ${pid}`);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('removes the lock when SIGTERM ends the process', async () => {
    const dir = await tempDir();
    const script = [
      `import { lockOutputDir } from ${JSON.stringify(new URL('./output-dir-lock.ts', import.meta.url).href)};`,
      `await lockOutputDir(${JSON.stringify(dir)}, () => {});`,
      `process.stdout.write('locked\\n');`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['--conditions=@tunekit/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const exit = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    expect(await exit).toBe('SIGTERM');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 30_000);
});
