import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { references } from '../generate/write-references.js';
import { DOCS_DIR } from './pages.js';

it.each(Object.entries(await references()))(
  '%s is what the code generates (else run: pnpm --filter @tunekit/docs generate)',
  async (path, generated) => {
    expect(await readFile(join(DOCS_DIR, path), 'utf8')).toBe(generated);
  },
);
