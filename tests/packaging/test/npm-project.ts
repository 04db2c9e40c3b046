import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The environment of a user's shell: without the `npm_*` settings that pnpm passes to the scripts
 * it runs and without NODE_OPTIONS (which could carry a `--conditions` or a loader), so that npm
 * and node behave as they do outside this workspace. onnxruntime-node's install script downloads
 * nothing (its CPU binaries ship in the package).
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ONNXRUNTIME_NODE_INSTALL: 'skip' };
  for (const [key, value] of Object.entries(process.env))
    if (!key.toLowerCase().startsWith('npm_') && key !== 'NODE_OPTIONS') env[key] ??= value;
  return env;
}

/** A fresh npm project in `dir` with the given tarballs installed by plain `npm install`. */
export async function npmProject(dir: string, tarballs: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = { name: 'tunekit-user-project', private: true, type: 'module' };
  await writeFile(`${dir}/package.json`, `${JSON.stringify(json, null, 2)}\n`);
  await runIn(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs]);
}

/** Runs a command in `dir` with the user's environment (or `env`); resolves to its stdout. */
export async function runIn(
  dir: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<string> {
  try {
    return (await run(file, args, { cwd: dir, env })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
