import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs `script` (a file beside this one) in its own node process, reading sibling packages from
 * source, so that its peak RSS is its own; returns the JSON of the last line it prints on stdout.
 * Its stderr (progress) goes to ours.
 */
export function runNodeChild<T>(script: string, args: readonly string[]): T {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@tunekit/source', file, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as T;
}
