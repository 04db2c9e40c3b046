import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The end-to-end tests' global set-up: they run the built CLI (see run-tunekit.ts), so first tsc's
 * build mode brings its dist/ and those of the workspace packages that tsconfig.lib.json references
 * up to date (as `prepack` does; about a second when nothing changed), so a stale dist/ is never
 * tested instead of the source.
 */
export default function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const cli = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.lib.json'], { cwd: cli, stdio: 'inherit' });
}
