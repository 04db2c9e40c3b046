import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { packageVersion } from './package-version.js';
import { runCli } from './run-cli.js';

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = await runCli(['node', 'tunekit', ...args], { stdout, stderr });
  return {
    code,
    stdout: stdout.read()?.toString() ?? '',
    stderr: stderr.read()?.toString() ?? '',
  };
}

describe('runCli', () => {
  it('prints the package version', async () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await run('--version')).toEqual({
      code: 0,
      stdout: `${packageVersion()}\n`,
      stderr: '',
    });
  });

  it('lists the commands in --help', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const command of ['train', 'eval', 'chat', 'generate'])
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('rejects an unknown command with exit code 1 and a hint', async () => {
    const { code, stderr } = await run('trian');
    expect(code).toBe(1);
    expect(stderr).toContain("error: unknown command 'trian'");
  });

  it('names a missing required option', async () => {
    const { code, stderr } = await run('generate', '--prompt', 'hi');
    expect(code).toBe(1);
    expect(stderr).toContain("error: required option '-m, --model <folder|hub-id>' not specified");
  });

  it('offers --allow-nonfinite on every command that loads weights; train maps it to its key', async () => {
    for (const command of ['train', 'eval', 'chat', 'generate', 'merge', 'export'])
      expect((await run(command, '--help')).stdout, command).toContain('--allow-nonfinite');
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-cli-'));
    const yaml = join(dir, 'train.yaml');
    await writeFile(yaml, 'model: m\ntrain: a.jsonl\n');
    const printed = (...flags: string[]) => run('train', yaml, '--print-config', ...flags);
    expect((await printed()).stdout).toMatch(/^allow_nonfinite: false$/m);
    expect((await printed('--allow-nonfinite')).stdout).toMatch(/^allow_nonfinite: true$/m);
    await rm(dir, { recursive: true, force: true });
  });

  it('maps train --backend-cache-dir and --no-backend-cache to backend_cache_dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-cli-'));
    const yaml = join(dir, 'train.yaml');
    await writeFile(yaml, 'model: m\ntrain: a.jsonl\n');
    const printed = async (...flags: string[]) =>
      (await run('train', yaml, '--print-config', ...flags)).stdout;
    expect(await printed()).not.toContain('backend_cache_dir');
    expect(await printed('--backend-cache-dir', 'caches/123: x')).toMatch(
      /^backend_cache_dir: "caches\/123: x"$/m,
    );
    expect(await printed('--no-backend-cache')).toMatch(/^backend_cache_dir: false$/m);
    await rm(dir, { recursive: true, force: true });
  });
});
