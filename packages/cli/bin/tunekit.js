#!/usr/bin/env node
// The `tunekit` command. An installed package runs its build (dist/). A repository checkout runs
// its TypeScript source through tsx, so a fresh clone needs no build and an edit takes effect at
// once (a stale dist/ is never picked up): Node starts again with the `@tunekit/source` condition
// (workspace packages resolve to their src/) and the repository's base tsconfig
// (experimentalDecorators), which tsx reads from TSX_TSCONFIG_PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));

if (!existsSync(source)) {
  await import('../dist/main.js');
} else {
  const tsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--conditions=@tunekit/source',
      '--import',
      import.meta.resolve('tsx'),
      source,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } },
  );
  // A terminal's Ctrl-C reaches both processes; a signal sent to this one alone is passed on.
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // Die of the same signal, so a shell sees what the child saw.
    process.off(signal, forward);
    process.kill(process.pid, signal);
  });
}
