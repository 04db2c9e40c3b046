import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The built CLI (dist/main.js, which an installed `tunekit` bin runs), resolving the workspace's
 * packages to their dist/ as a user's Node does. The e2e set-up (build-dist.ts) builds it first, so
 * it is never stale; started from source through tsx, each run spent 1-2.5 more CPU seconds
 * transpiling and loading some 700 modules.
 */
export const builtCli = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The `tunekit` bin of this checkout, which runs the TypeScript source through tsx. */
export const tunekitBin = fileURLToPath(new URL('../../bin/tunekit.js', import.meta.url));

export interface TunekitRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `tunekit` in a child process, as a user's shell would; `input` is piped to its
 * stdin, which then ends (at once when there is none).
 */
export function runTunekit(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<TunekitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
