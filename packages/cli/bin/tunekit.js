#!/usr/bin/env node
// The `tunekit` command. An installed package runs its build (dist/). A repository checkout runs
// its TypeScript source through tsx, so a fresh clone needs no build and an edit takes effect at
// once (a stale dist/ is never picked up). The checkout runs in this one process, so no signal
// (not even SIGKILL) can leave a child running: tsx is registered in-process with the
// repository's base tsconfig (experimentalDecorators), and a resolve hook adds the
// `@tunekit/source` condition (workspace packages resolve to their src/), as `--conditions` would.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/main.ts', import.meta.url);

if (!existsSync(source)) {
  await import('../dist/main.js');
} else {
  const hooks = new URL('./source-condition-hooks.js', import.meta.url);
  register(hooks);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx({ tsconfig: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)) });
  await import(source.href);
}
