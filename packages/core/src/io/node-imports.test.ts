import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');
const BUILTINS = new Set(builtinModules);

/**
 * Where core may import node built-ins: its IO layer (this folder; a browser gets its other
 * files through package.json's `imports`), and the conformance suites and test helpers, which
 * run under vitest in Node.
 */
const NODE_ONLY = [/^io\//, /^testing\//, /\.test\.ts$/, /test-utils\.ts$/];

/** The node built-ins each source file imports (static or dynamic), by path under src/. */
function nodeImports(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
    const builtins = specifiers.filter(
      (s) => s.startsWith('node:') || BUILTINS.has(s.split('/')[0]),
    );
    if (builtins.length > 0) out.set(relative(SRC, join(SRC, file)), builtins);
  }
  return out;
}

describe('core outside its IO layer', () => {
  it('imports no node built-in, so it runs in a browser', () => {
    const outside = [...nodeImports()].filter(([file]) => !NODE_ONLY.some((p) => p.test(file)));
    expect(outside).toEqual([]);
  });

  it("is checked by a scan that sees the IO layer's imports", () => {
    expect(nodeImports().get('io/disk-source.ts')).toEqual(['node:fs/promises', 'node:path']);
  });
});
