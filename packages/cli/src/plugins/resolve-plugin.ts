import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '@tunekit/core';
import { moduleResolve } from 'import-meta-resolve';

/**
 * The conditions a plugin package's `exports` map is read with: Node's for `import`. A checkout
 * runs tunekit from its TypeScript source (see bin/tunekit.js), where workspace packages resolve
 * through the `@tunekit/source` condition; a plugin in the workspace (examples/) does the same.
 */
const CONDITIONS = new Set([
  'node',
  'import',
  ...(import.meta.url.endsWith('.ts') ? ['@tunekit/source'] : []),
]);

/** A plugin found: the module to import, and how a training record names it. */
export interface FoundPlugin {
  /** As written (`plugins:`, `--plugin`), for messages. */
  readonly specifier: string;
  /** The module URL to import. */
  readonly url: string;
  /**
   * The specifier as it reads from any folder: a path made absolute from the folder that had it,
   * a package name as written (found again from the folder of the adapter that records it).
   */
  readonly recorded: string;
}

/**
 * Plugin `specifier`, found as eslint and prettier find theirs: a package name (with its
 * `exports` map, as `import` reads it) from the node_modules of each folder in `from` and its
 * parents, or a path (a file, or a package folder) relative to each folder in `from`; the first
 * folder that has it wins. When none has it, the UserError names every place looked. `origin`
 * says where the specifier was written (`plugins: in train.yaml`, `--plugin`).
 */
export function resolvePlugin(
  specifier: string,
  from: readonly string[],
  origin: string,
): FoundPlugin {
  const looked = new Set<string>();
  for (const dir of from) {
    const path = isPath(specifier) ? resolve(dir, specifier) : undefined;
    const url =
      path !== undefined
        ? resolvePath(path, specifier, origin, looked)
        : resolvePackage(specifier, dir, origin, looked);
    if (url !== undefined) return { specifier, url, recorded: path ?? specifier };
  }
  const install = isPath(specifier) ? '' : `; install it: npm install ${packageName(specifier)}`;
  throw new PluginNotFoundError(
    `plugin '${specifier}' (${origin}) not found; looked for ${[...looked].join(', ')}${install}`,
  );
}

/** No folder had the plugin (as opposed to one that is there and broken). */
export class PluginNotFoundError extends UserError {}

/** `./x.js`, `../x`, `/abs/x`: a path, not a package name (as in `import`). */
function isPath(specifier: string): boolean {
  return /^\.{1,2}([\\/]|$)/.test(specifier) || isAbsolute(specifier);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** A file, or a package folder by its `exports` (as its own name would import it) or `main`. */
function resolvePath(
  path: string,
  specifier: string,
  origin: string,
  looked: Set<string>,
): string | undefined {
  looked.add(path);
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isDirectory()) return pathToFileURL(path).href;
  const manifest = join(path, 'package.json');
  const pkg = existsSync(manifest) ? readManifest(manifest) : {};
  if (pkg.name !== undefined && pkg.exports !== undefined)
    return importResolve(pkg.name, pathToFileURL(manifest), specifier, origin);
  return resolvePath(join(path, pkg.main ?? 'index.js'), specifier, origin, looked);
}

/** A package from `dir`'s node_modules or a parent's (or `dir`'s own package, by its name). */
function resolvePackage(
  specifier: string,
  dir: string,
  origin: string,
  looked: Set<string>,
): string | undefined {
  const candidates = ancestors(dir).map((d) => join(d, 'node_modules', packageName(specifier)));
  for (const candidate of candidates) looked.add(candidate);
  try {
    return importResolve(specifier, pathToFileURL(join(dir, '/')), specifier, origin);
  } catch (error) {
    // not installed here: try the next folder; installed but broken: say so
    if (candidates.some((c) => existsSync(c))) throw error;
    return undefined;
  }
}

function importResolve(name: string, base: URL, specifier: string, origin: string): string {
  try {
    return moduleResolve(name, base, CONDITIONS).href;
  } catch (error) {
    throw new UserError(`plugin '${specifier}' (${origin}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

interface Manifest {
  readonly name?: string;
  readonly exports?: unknown;
  readonly main?: string;
}

function readManifest(file: string): Manifest {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** `dir` and each folder above it, up to the root. */
function ancestors(dir: string): string[] {
  const dirs = [dir];
  while (dirname(dirs[dirs.length - 1]) !== dirs[dirs.length - 1])
    dirs.push(dirname(dirs[dirs.length - 1]));
  return dirs;
}
