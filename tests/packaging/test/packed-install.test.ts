import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distImportProblems, publishedTargets } from './dist-imports.js';
import { npmProject, runIn } from './npm-project.js';
import {
  buildAll,
  type PackageJson,
  packAll,
  packageAt,
  publishedPackages,
  ROOT,
} from './published-packages.js';

// Every published package built, packed and installed with plain npm into projects outside this
// workspace (npm fetches the third-party dependencies from the registry), then run from there.
const MODEL = join(ROOT, 'models/tunekit-tiny-chat');
const TRAIN_DATA = join(ROOT, 'examples/quickstart/data/train.jsonl');
const packages = publishedPackages();
// a third party's plugin, packed as its author would publish it
const ia3Plugin = packageAt('examples/plugin-ia3');
const packed = [...packages, ia3Plugin];
const plugins = packed
  .filter((p) => (p.json.keywords as string[] | undefined)?.includes('tunekit-plugin'))
  .map((p) => p.json.name);
const work = await mkdtemp(join(tmpdir(), 'tunekit-packed-install-'));
const everything = join(work, 'all');
const loraOnly = join(work, 'lora');
const LORA_ONLY = ['@tunekit/core', '@tunekit/backend-onnx', '@tunekit/peft-lora'];

beforeAll(async () => {
  buildAll(packed);
  const tarballs = packAll(packed, join(work, 'tarballs'));
  const tarball = (name: string) => tarballs.get(name) ?? name;
  // a TypeScript user of the libraries has Node's types
  await Promise.all([
    npmProject(everything, [...tarballs.values()]),
    npmProject(loraOnly, [...LORA_ONLY.map(tarball), '@types/node@20']),
  ]);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a project that installs every package from its tarball', () => {
  const project = everything;
  const installed = (name: string) => join(project, 'node_modules', name);

  it.each(packages.map((p) => p.json.name))(
    '%s ships a README, a LICENSE and what it exports',
    (name) => {
      const json: PackageJson = JSON.parse(
        readFileSync(join(installed(name), 'package.json'), 'utf8'),
      );
      expect(json.license).toBe('MIT');
      expect(json.publishConfig).toEqual({ access: 'public' });
      for (const file of ['README.md', 'LICENSE'])
        expect(existsSync(join(installed(name), file)), file).toBe(true);
      for (const target of exportTargets(json))
        expect(existsSync(join(installed(name), target)), target).toBe(true);
    },
  );

  // one container: a plugin shares the user's core and tsyringe instead of bringing its own
  it.each(plugins)('%s takes @tunekit/core and tsyringe as peer dependencies', (name) => {
    const json: PackageJson = JSON.parse(
      readFileSync(join(installed(name), 'package.json'), 'utf8'),
    );
    expect(Object.keys(json.peerDependencies ?? {})).toEqual(
      expect.arrayContaining(['@tunekit/core', 'tsyringe']),
    );
    const bundled = Object.keys(json.dependencies ?? {});
    expect(bundled.filter((dep) => dep.startsWith('@tunekit/') || dep === 'tsyringe')).toEqual([]);
  });

  it.each(packed.map((p) => p.json.name))('%s dist imports only its dependencies', (name) => {
    expect(distImportProblems(installed(name))).toEqual([]);
  });

  /** The installed `tunekit train` for 3 steps with `peft` lines; the folder it wrote. */
  async function trainThreeSteps(name: string, peft: readonly string[]): Promise<string> {
    const yaml = join(project, `${name}.yaml`);
    await writeFile(
      yaml,
      [
        `model: ${JSON.stringify(MODEL)}`,
        'backend: onnx',
        `train: ${JSON.stringify(TRAIN_DATA)}`,
        'template: chatml',
        'max_length: 64',
        ...peft,
        `output_dir: ${name}`,
        'max_steps: 3',
        'per_device_train_batch_size: 4',
        'logging_steps: 1',
        '',
      ].join('\n'),
    );
    await runIn(project, join(project, 'node_modules/.bin/tunekit'), ['train', yaml]);
    const out = join(project, name);
    for (const file of ['adapter_config.json', 'adapter_model.safetensors', 'report.html'])
      expect(existsSync(join(out, file)), file).toBe(true);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((record) => typeof record.loss === 'number');
    expect(steps.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(steps.every((record) => Number.isFinite(record.loss))).toBe(true);
    return out;
  }

  it('runs the installed `tunekit train` from dist, without tsx', async () => {
    expect(existsSync(installed('tsx'))).toBe(false);
    await trainThreeSteps('lora', ['peft: { method: lora, r: 4, target_modules: all-linear }']);
  });

  it('trains with a third-party plugin installed from its tarball, named under plugins:', async () => {
    const out = await trainThreeSteps('ia3', [
      'plugins: [tunekit-peft-ia3]',
      'peft: { method: ia3 }',
    ]);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'IA3', feedforward_modules: ['down_proj'] });
  });
});

describe('a project that installs only core, backend-onnx and peft-lora', () => {
  const project = loraOnly;

  it('type-checks a script against their types and runs LoRA steps with it', async () => {
    expect((await readdir(join(project, 'node_modules/@tunekit'))).sort()).toEqual([
      'backend-onnx',
      'core',
      'peft-lora',
    ]);
    await copyFile(
      new URL('../fixtures/lora-steps.ts', import.meta.url),
      join(project, 'lora-steps.ts'),
    );
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    await runIn(project, process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      '.',
    ]);
    const adapter = join(project, 'adapter');
    const stdout = await runIn(project, process.execPath, ['lora-steps.js', MODEL, adapter, '4']);
    const { losses } = JSON.parse(stdout) as { losses: number[] };
    expect(losses).toHaveLength(4);
    expect(losses[3]).toBeLessThan(losses[0]);
    const config = JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8 });
  });
});

/**
 * A user's strict ESM project for Node. skipLibCheck, as `tsc --init` sets it: onnxruntime-common's
 * and onnx-proto's own .d.ts files need the DOM's and long's types.
 */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022'],
    types: ['node'],
    skipLibCheck: true,
  },
  files: ['lora-steps.ts'],
};

/** The files a package.json's `exports` and `bin` point at. */
function exportTargets(json: PackageJson): string[] {
  return [...publishedTargets(json.exports), ...publishedTargets(json.bin)];
}
