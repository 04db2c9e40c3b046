import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { npmProject, runIn, userEnv } from './npm-project.js';
import {
  buildAll,
  type PackageJson,
  publishedPackages,
  ROOT,
  rootPackageJson,
} from './published-packages.js';
import { loggedLosses, writeTinyTrainConfig } from './tiny-train.js';

// The release's last step, `pnpm release` (build, then `changeset publish`), run against a local
// verdaccio; then `@tunekit/cli` and the other published packages installed from it with plain npm
// into a clean project, as a user would (npm's registry for everything that is not @tunekit), and
// run from there.
const packages = publishedPackages();
const versions = new Map(packages.map((p) => [p.json.name, p.json.version]));
const work = await mkdtemp(join(tmpdir(), 'tunekit-registry-publish-'));
const project = join(work, 'project');
let registry: LocalRegistry | undefined;

beforeAll(async () => {
  buildAll(packages); // before the registry starts: it shares this process's event loop
  registry = await startLocalRegistry(join(work, 'registry'));
  await publishTo(registry.url);
  await mkdir(project, { recursive: true });
  await writeFile(join(project, '.npmrc'), `@tunekit:registry=${registry.url}\n`);
  // the CLI, and the plugins a user adds beside it (those the CLI does not depend on, e.g. peft-qlora)
  await npmProject(
    project,
    [...versions].map(([name, version]) => `${name}@${version}`),
  );
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

/**
 * `changeset publish` to `url` with a dummy token, all of it in a temporary user config (never the
 * user's ~/.npmrc). pnpm 12, which publishes for changesets, ignores the `npm_config_*` registry
 * that changesets hands it and reads this file, so pnpm's view is checked before any publish.
 */
async function publishTo(url: string): Promise<void> {
  const npmrc = join(work, 'publish.npmrc');
  const host = url.replace(/^http:/, '');
  await writeFile(npmrc, `registry=${url}\n@tunekit:registry=${url}\n${host}:_authToken=dummy\n`);
  const env = {
    ...userEnv(),
    PATH: `${await pnpmBinDir()}${delimiter}${process.env.PATH}`,
    npm_config_userconfig: npmrc,
    npm_config_registry: url, // what changesets asks `npm info` about
    pnpm_config_registry: url,
  };
  const core = join(ROOT, 'packages/core');
  for (const key of ['registry', '@tunekit:registry'])
    expect((await runIn(core, 'pnpm', ['config', 'get', key], env)).trim(), key).toBe(url);
  await runIn(ROOT, join(ROOT, 'node_modules/.bin/changeset'), ['publish', '--no-git-tag'], env);
}

/** The folder of the pnpm that package.json's `packageManager` names (npx caches it). */
async function pnpmBinDir(): Promise<string> {
  const { packageManager } = rootPackageJson();
  const args = ['--yes', '-p', packageManager, '-c', 'command -v pnpm'];
  return dirname((await runIn(ROOT, 'npx', args)).trim());
}

describe('@tunekit/cli installed with npm from a registry that `changeset publish` filled', () => {
  const installed = (name: string) => join(project, 'node_modules', name);
  const manifest = (name: string): PackageJson =>
    JSON.parse(readFileSync(join(installed(name), 'package.json'), 'utf8'));

  it('has every published package at its repository version', async () => {
    for (const [name, version] of versions) {
      const response = await fetch(`${registry?.url}${name.replace('/', '%2f')}`);
      const packument = (await response.json()) as { versions?: Record<string, unknown> };
      expect(Object.keys(packument.versions ?? {}), name).toContain(version);
      expect(manifest(name).version, name).toBe(version);
    }
  });

  it('pins the CLI to the @tunekit versions published with it', () => {
    const pinned = Object.entries(manifest('@tunekit/cli').dependencies ?? {}).filter(([name]) =>
      name.startsWith('@tunekit/'),
    );
    expect(pinned.length).toBeGreaterThan(0);
    for (const [name, range] of pinned) expect(range, name).toBe(versions.get(name));
  });

  it('gives each plugin a coreRange equal to its peer range, admitting the installed core', async () => {
    const plugins = packages
      .map((p) => p.json.name)
      // plugin packages say so in their keywords; a library such as data-tools registers nothing
      .filter((name) =>
        (manifest(name).keywords as string[] | undefined)?.includes('tunekit-plugin'),
      );
    const script = `for (const name of ${JSON.stringify(plugins)}) {
      const { plugin } = await import(name);
      console.log(JSON.stringify([name, plugin.coreRange]));
    }`;
    const stdout = await runIn(project, process.execPath, ['--input-type=module', '-e', script]);
    const coreRanges = new Map<string, string>(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect([...coreRanges.keys()]).toEqual(plugins);
    const core = manifest('@tunekit/core').version;
    for (const [name, coreRange] of coreRanges) {
      expect(coreRange, name).toBe(manifest(name).peerDependencies?.['@tunekit/core']);
      expect(semver.satisfies(core, coreRange), `${name} ${coreRange} admits ${core}`).toBe(true);
    }
  });

  it('runs `tunekit --version` and a short `tunekit train`', async () => {
    const tunekit = join(project, 'node_modules/.bin/tunekit');
    expect((await runIn(project, tunekit, ['--version'])).trim()).toBe(
      versions.get('@tunekit/cli'),
    );
    await runIn(project, tunekit, ['train', await writeTinyTrainConfig(project, 2)]);
    const out = join(project, 'out');
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    const losses = loggedLosses(out);
    expect(losses.map((record) => record.step)).toEqual([1, 2]);
    expect(losses.every((record) => Number.isFinite(record.loss))).toBe(true);
  });
});
