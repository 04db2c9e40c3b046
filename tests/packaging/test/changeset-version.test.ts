import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PackageJson,
  publishedPackages,
  ROOT,
  rootPackageJson,
} from './published-packages.js';

// `pnpm version-packages` (changeset version, then CORE_VERSION) run on a copy of the repository's
// package manifests with one test changeset, and the repository's own pending changesets planned.
const run = promisify(execFile);
const env = {
  ...process.env,
  PATH: `${join(ROOT, 'node_modules/.bin')}${delimiter}${process.env.PATH}`,
};
const packages = publishedPackages();
const names = packages.map((p) => p.json.name);
const PEERS = ['@tunekit/core', '@tunekit/templates'];
const CORE_VERSION_FILE = 'packages/core/src/plugin/core-version.ts';
const copy = await mkdtemp(join(tmpdir(), 'tunekit-changeset-version-'));
const manifest = (name: string): PackageJson =>
  JSON.parse(readFileSync(join(copy, 'packages', name.split('/')[1], 'package.json'), 'utf8'));
const changelog = (name: string) => join(copy, 'packages', name.split('/')[1], 'CHANGELOG.md');

beforeAll(async () => {
  const files = [
    'package.json',
    'pnpm-workspace.yaml',
    '.changeset/config.json',
    CORE_VERSION_FILE,
    'packages/core/scripts/write-core-version.ts',
    ...packages.flatMap((p) => {
      const dir = p.dir.slice(ROOT.length);
      return [`${dir}/package.json`, `${dir}/CHANGELOG.md`];
    }),
  ];
  for (const file of files.filter((f) => existsSync(join(ROOT, f)))) {
    await mkdir(join(copy, file, '..'), { recursive: true });
    await cp(join(ROOT, file), join(copy, file));
  }
  await writeFile(
    join(copy, '.changeset/test-release.md'),
    [
      '---',
      "'@tunekit/core': minor",
      "'@tunekit/peft-lora': patch",
      '---',
      '',
      'A test release: a core feature and a LoRA fix.',
      '',
    ].join('\n'),
  );
  await run('sh', ['-c', rootPackageJson().scripts['version-packages']], { cwd: copy, env });
});
afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

describe('`pnpm version-packages` with a core minor and a peft-lora patch changeset', () => {
  const before = new Map(packages.map((p) => [p.json.name, p.json.version]));
  const next = (name: string, type: 'minor' | 'patch') => semver.inc(before.get(name) ?? '', type);

  it('bumps core and peft-lora as asked, with their summaries in their changelogs', async () => {
    expect(manifest('@tunekit/core').version).toBe(next('@tunekit/core', 'minor'));
    expect(manifest('@tunekit/peft-lora').version).toBe(next('@tunekit/peft-lora', 'patch'));
    for (const name of ['@tunekit/core', '@tunekit/peft-lora']) {
      const text = await readFile(changelog(name), 'utf8');
      expect(text).toContain(`## ${manifest(name).version}`);
      expect(text).toContain('A test release: a core feature and a LoRA fix.');
    }
  });

  it('patches the CLI, which pins its @tunekit dependencies, and lists the updated ones', async () => {
    expect(manifest('@tunekit/cli').version).toBe(next('@tunekit/cli', 'patch'));
    const text = await readFile(changelog('@tunekit/cli'), 'utf8');
    expect(text).toContain('Updated dependencies');
    for (const name of ['@tunekit/core', '@tunekit/peft-lora'])
      expect(text).toContain(`${name}@${manifest(name).version}`);
  });

  it('leaves plugins whose peer range admits the new core unreleased', () => {
    for (const name of ['@tunekit/backend-onnx', '@tunekit/templates', '@tunekit/trainer']) {
      expect(manifest(name).version, name).toBe(before.get(name));
      expect(existsSync(changelog(name)), name).toBe(
        existsSync(changelog(name).replace(copy, ROOT)),
      );
    }
  });

  it('keeps every peer range satisfied and takes no package to 1.0.0', () => {
    for (const name of names) {
      const json = manifest(name);
      expect(semver.major(json.version), name).toBe(0);
      for (const peer of PEERS.filter((p) => json.peerDependencies?.[p]))
        expect(
          admits(json.peerDependencies?.[peer], manifest(peer).version),
          `${name} → ${peer}`,
        ).toBe(true);
    }
  });

  it("writes core's new version into CORE_VERSION", async () => {
    const source = await readFile(join(copy, CORE_VERSION_FILE), 'utf8');
    expect(source).toContain(`export const CORE_VERSION = '${manifest('@tunekit/core').version}';`);
  });
});

describe("the repository's pending changesets", () => {
  it('release no package at 1.0.0 unless a changeset asks for a major bump of it', async () => {
    const output = join(copy, 'status.json');
    await run(join(ROOT, 'node_modules/.bin/changeset'), ['status', '--output', output], {
      cwd: ROOT,
      env,
    });
    const plan: ChangesetStatus = JSON.parse(await readFile(output, 'utf8'));
    const askedMajor = new Set(
      plan.changesets.flatMap((c) =>
        c.releases.filter((r) => r.type === 'major').map((r) => r.name),
      ),
    );
    const unasked = plan.releases.filter(
      (r) => semver.major(r.newVersion) > semver.major(r.oldVersion) && !askedMajor.has(r.name),
    );
    expect(unasked.map((r) => `${r.name} ${r.oldVersion} → ${r.newVersion}`)).toEqual([]);
  });
});

interface ChangesetStatus {
  readonly changesets: { releases: { name: string; type: string }[] }[];
  readonly releases: { name: string; oldVersion: string; newVersion: string }[];
}

/** Whether a `workspace:` (or plain) range admits `version`, as the published range will. */
function admits(range: string | undefined, version: string): boolean {
  return range !== undefined && semver.satisfies(version, range.replace(/^workspace:/, ''));
}
