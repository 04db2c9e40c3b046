import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import type { PackageJson } from './published-packages.js';

/**
 * What an installed package's dist/ imports that would break outside this workspace: a package
 * it does not declare in `dependencies` or `peerDependencies` (a devDependency such as tsx, or a
 * package that is only hoisted here), a relative import without its `.js` extension, a relative
 * import of a file that was not built or packed, or a `#name` import that package.json's `imports`
 * lacks or maps to a file not in the package. Empty when the package is sound.
 */
export function distImportProblems(packageDir: string): string[] {
  const json: PackageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const declared = new Set([
    json.name,
    ...Object.keys(json.dependencies ?? {}),
    ...Object.keys(json.peerDependencies ?? {}),
  ]);
  const problems: string[] = [];
  for (const file of filesUnder(join(packageDir, 'dist'))) {
    if (!file.endsWith('.js') && !file.endsWith('.d.ts')) continue;
    const where = file.slice(packageDir.length + 1);
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'))
      .importedFiles) {
      if (specifier.startsWith('.')) {
        if (!specifier.endsWith('.js'))
          problems.push(`${where}: '${specifier}' has no .js extension`);
        else if (!existsSync(resolve(dirname(file), specifier)))
          problems.push(`${where}: '${specifier}' is not in the package`);
      } else if (specifier.startsWith('#')) {
        problems.push(...subpathImportProblems(json, packageDir, specifier, where));
      } else if (!isBuiltin(specifier) && !declared.has(packageName(specifier))) {
        problems.push(`${where}: '${specifier}' is not a dependency or peer dependency`);
      }
    }
  }
  return problems;
}

/**
 * A `#name` import (package.json `imports`) must be mapped, and each file it maps to outside the
 * workspace (every condition but `@tunekit/source`: the Node file and the browser file) packed.
 */
function subpathImportProblems(
  json: PackageJson,
  packageDir: string,
  specifier: string,
  where: string,
): string[] {
  const map = (json.imports as Record<string, unknown> | undefined)?.[specifier];
  if (map === undefined) return [`${where}: '${specifier}' is not in package.json's imports`];
  return publishedTargets(map)
    .filter((target) => !existsSync(join(packageDir, target)))
    .map((target) => `${where}: '${specifier}' maps to ${target}, which is not in the package`);
}

/**
 * The files an `exports`, `imports` or `bin` entry maps to for users of the package: under every
 * condition but `@tunekit/source` (the workspace's own, to the TypeScript sources).
 */
export function publishedTargets(map: unknown): string[] {
  const targets: string[] = [];
  // a condition may nest others (`@tunekit/source: {browser, default}`): skip its whole subtree
  const visit = (value: unknown) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) if (key !== '@tunekit/source') visit(inner);
  };
  visit(map);
  return targets;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}
