import { writeFile } from 'node:fs/promises';
import { cliReference } from './cli-reference.js';
import { configReference } from './config-reference.js';

/** The generated pages, by path relative to docs/; references.test.ts checks they are current. */
export async function references(): Promise<Record<string, string>> {
  return {
    'reference/config.md': configReference(),
    'reference/cli.md': await cliReference(),
  };
}

// `pnpm --filter @tunekit/docs generate` (from docs/)
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [path, text] of Object.entries(await references())) await writeFile(path, text);
}
