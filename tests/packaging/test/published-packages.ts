import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

export interface PublishedPackage {
  readonly dir: string;
  readonly json: PackageJson;
}

/** Every package under packages/ that is published (not private). */
export function publishedPackages(): PublishedPackage[] {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => packageAt(join('packages', name)))
    .filter((p) => !p.json.private);
}

/** The workspace package in `dir`, relative to the repository. */
export function packageAt(dir: string): PublishedPackage {
  const abs = join(ROOT, dir);
  return { dir: abs, json: JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) };
}

/** Builds every published package's dist/ (tsc's build mode: an up-to-date one is left as it is). */
export function buildAll(packages: readonly PublishedPackage[]): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const projects = packages.map((p) => join(p.dir, 'tsconfig.lib.json'));
  execFileSync(process.execPath, [tsc, '-b', ...projects], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * `pnpm pack`s every published package into `destination` (pnpm turns `workspace:` and `catalog:`
 * ranges into versions, as `pnpm publish` does) and returns the tarballs' paths by package name.
 */
export function packAll(
  packages: readonly PublishedPackage[],
  destination: string,
): Map<string, string> {
  const filters = packages.flatMap((p) => ['--filter', p.json.name]);
  const args = ['-r', ...filters, 'pack', '--pack-destination', destination];
  execFileSync('npx', ['--yes', rootPackageJson().packageManager, ...args], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const tarballs = new Map<string, string>();
  for (const { json } of packages) {
    const file = `${json.name.replace('@', '').replace('/', '-')}-${json.version}.tgz`;
    tarballs.set(json.name, join(destination, file));
  }
  return tarballs;
}

/** The repository's package.json: `packageManager` names the pnpm that CI runs (`pnpm@x.y.z`). */
export function rootPackageJson(): {
  packageManager: string;
  scripts: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
}
