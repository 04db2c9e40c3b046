import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const PAGE = join(import.meta.dirname, '../src/main.ts');
const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (path: string) =>
  path.startsWith('node:') || NODE_BUILTINS.has(path.split('/')[0]);

/**
 * The page bundled for the browser as Vite bundles it (core, peft-lora, backend-webgpu,
 * templates and the trainer's pieces, from their TypeScript source with the `browser`
 * condition), node built-ins left external so that none goes unseen.
 */
async function bundlePage(): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints: [PAGE],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@tunekit/source'],
    write: false,
    outdir: 'out',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins-external',
        setup(b) {
          b.onResolve({ filter: /.*/ }, ({ path }) =>
            isNodeBuiltin(path) ? { path, external: true } : undefined,
          );
        },
      },
    ],
  });
  return metafile;
}

/**
 * Each node built-in the page's code can load, with the source files that import it: the chunks
 * reachable from the entry by static and dynamic imports count (a library's chunk that nothing
 * reachable loads is not the page's).
 */
function reachableNodeImports(metafile: Metafile): string[] {
  const { inputs, outputs } = metafile;
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint !== undefined) as string;
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const { path, external } of outputs[output].imports) {
      if (!external) visit(path);
      else if (isNodeBuiltin(path)) {
        const importers = Object.keys(outputs[output].inputs).filter((i) =>
          inputs[i]?.imports.some((imp) => imp.path === path),
        );
        found.push(`${path} (from ${importers.join(', ')})`);
      }
    }
  };
  visit(entry);
  return [...new Set(found)];
}

describe('the browser page', () => {
  it('loads no node built-in: core, the plugins and the trainer pieces it uses run in a browser', async () => {
    expect(reachableNodeImports(await bundlePage())).toEqual([]);
  });

  it('would be caught loading one (the check can fail)', () => {
    const metafile: Metafile = {
      inputs: {
        'src/disk.ts': {
          bytes: 1,
          imports: [{ path: 'node:fs/promises', kind: 'import-statement', external: true }],
        },
      },
      outputs: {
        'out/main.js': {
          bytes: 1,
          entryPoint: 'src/main.ts',
          inputs: {},
          exports: [],
          imports: [{ path: 'out/chunk.js', kind: 'dynamic-import' }],
        },
        'out/chunk.js': {
          bytes: 1,
          inputs: { 'src/disk.ts': { bytesInOutput: 1 } },
          exports: [],
          imports: [{ path: 'node:fs/promises', kind: 'import-statement', external: true }],
        },
      },
    };
    expect(reachableNodeImports(metafile)).toEqual(['node:fs/promises (from src/disk.ts)']);
  });
});
