import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTunekit, type TunekitRun, workDir } from './harness.js';
import {
  PROBE_JINJA,
  PROBE_PLUGIN,
  TEMPLATE_PLUGIN,
  writePluginProject,
} from './plugin-project.js';

// Every command loads plugins from a user's project outside this repository: a package in its
// node_modules (the family of the project model's model_type) and a file in its folder (a chat
// template), named by --plugin (found from the working directory) or under plugins: (a config's,
// found from the config's folder). train keeps both in the adapter's training record, the file's
// path made absolute, so the commands that load the adapter load them with no flag from any
// working directory. A command that ignores a plugin fails: the model_type and the template id
// it needs are only the plugins'. Each command runs once from the record and once with --plugin.

const root = await workDir('plugins');
const project = join(root, 'project');
const elsewhere = join(root, 'elsewhere');
const model = join(project, 'model');
const data = join(project, 'data.jsonl');
/**
 * Trained in the project from configs/train.yaml (plugins: [../probe-template.mjs], template:
 * probe) with --plugin tunekit-plugin-probe: its training record lists both.
 */
const recorded = join(project, 'out/recorded');
/** `recorded` without its training record, as an adapter made elsewhere: it needs --plugin. */
const unrecorded = join(project, 'out/unrecorded');
const probePlugin = ['--plugin', PROBE_PLUGIN];
const templatePlugin = ['--plugin', `./${TEMPLATE_PLUGIN}`];
const plugins = [...probePlugin, ...templatePlugin];
let trained: TunekitRun;

/** tunekit in the project (where --plugin finds the plugins) or elsewhere (where it does not). */
const inProject = (args: string[], input?: string) => runTunekit(args, { cwd: project, input });
const fromElsewhere = (args: string[], input?: string) =>
  runTunekit(args, { cwd: elsewhere, input });

function expectSuccess(run: TunekitRun): void {
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
}

beforeAll(async () => {
  await writePluginProject(project);
  await mkdir(elsewhere);
  const config = join(project, 'configs/train.yaml');
  trained = await inProject(['train', config, '--set', `output_dir=${recorded}`, ...probePlugin]);
  expect(trained.code, trained.stderr).toBe(0);
  await cp(recorded, unrecorded, { recursive: true });
  await rm(join(unrecorded, 'training_record.json'));
}, 240_000);

describe('plugins from a project outside the CLI', () => {
  it('are what the commands need: without one, the model does not load', async () => {
    const run = await inProject(['generate', '-m', model, '-p', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*model_type 'probe_llama' is not supported/);
  });

  it('train: plugins: in the config, found from its folder, and --plugin; the record keeps both, the path absolute', async () => {
    expectSuccess(trained);
    expect(trained.stdout).toContain(`model: ${model} (probe_llama)`);
    expect(trained.stdout).toContain(', template probe,');
    const record = JSON.parse(await readFile(join(recorded, 'training_record.json'), 'utf8'));
    expect(record.plugins).toEqual([join(project, TEMPLATE_PLUGIN), PROBE_PLUGIN]);
    expect(record.config.plugins).toEqual([`../${TEMPLATE_PLUGIN}`]);
  });

  it("eval: the adapter's recorded plugins with no flag, from another folder; and --plugin", async () => {
    const args = ['eval', '-m', model, '-d', data, '--num-samples', '0', '--json'];
    for (const run of [
      await fromElsewhere([...args, '-a', recorded]),
      await inProject([...args, '-a', unrecorded, '--template', 'probe', ...plugins]),
    ]) {
      expectSuccess(run);
      expect(JSON.parse(run.stdout)).toHaveProperty('loss');
    }
  }, 120_000);

  it("chat: the adapter's recorded plugins with no flag, from another folder; and --plugin", async () => {
    const args = ['chat', '-m', model, '--max-new-tokens', '2'];
    expectSuccess(await fromElsewhere([...args, '-a', recorded], 'hi\n'));
    expectSuccess(
      await inProject([...args, '-a', unrecorded, '--template', 'probe', ...plugins], 'hi\n'),
    );
  }, 120_000);

  it("generate: the model's recorded plugins, and --plugin", async () => {
    // a model folder tunekit train saved (a full fine-tune) keeps its training record beside it
    const trainedModel = join(project, 'full-finetune');
    await cp(model, trainedModel, { recursive: true });
    const record = { config: {}, plugins: [PROBE_PLUGIN] };
    await writeFile(join(trainedModel, 'training_record.json'), JSON.stringify(record));
    const args = ['generate', '-p', 'What is 1 + 1?', '--max-new-tokens', '2', '--json'];
    for (const run of [
      await fromElsewhere([...args, '-m', trainedModel]),
      await inProject([...args, '-m', model, ...plugins]),
    ]) {
      expectSuccess(run);
      expect(JSON.parse(run.stdout).generated_ids.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it("merge: the adapter's recorded plugins, and --plugin", async () => {
    const fromRecord = await fromElsewhere(['merge', '-m', model, '-a', recorded, '-o', 'a']);
    const fromFlag = await inProject([
      'merge',
      '-m',
      model,
      '-a',
      unrecorded,
      '-o',
      'b',
      ...plugins,
    ]);
    for (const run of [fromRecord, fromFlag]) expectSuccess(run);
    const config = JSON.parse(await readFile(join(elsewhere, 'a/config.json'), 'utf8'));
    expect(config.model_type).toBe('probe_llama');
  }, 120_000);

  it("export: the adapter's recorded plugins, and --plugin", async () => {
    const fromRecord = await fromElsewhere(['export', '-m', model, '-a', recorded, '-o', 'c']);
    const fromFlag = await inProject(['export', '-m', model, '-o', 'd', ...plugins]);
    for (const run of [fromRecord, fromFlag]) {
      expectSuccess(run);
      expect(run.stdout).toContain('wrote onnx/model.onnx');
    }
  }, 120_000);

  it("template render: the plugin's template by the --model folder's recorded plugins, and --plugin", async () => {
    const args = ['template', 'render', '-t', 'probe', '-d', data, '-n', '1'];
    for (const run of [
      await fromElsewhere([...args, '-m', recorded]),
      await inProject([...args, ...templatePlugin]),
    ]) {
      expectSuccess(run);
      expect(run.stdout).toContain('user> What is 0 + 0?\nassistant> [[0\n]]');
    }
    const listed = await inProject(['template', 'list', ...templatePlugin]);
    expect(listed.stdout).toContain('probe: role> text lines');
  }, 120_000);

  it("export-config: plugins: in the config, and --plugin, with the plugin's template", async () => {
    const args = (config: string) => [
      'export-config',
      join(project, 'configs', config),
      '--to',
      'trl',
      '--set',
      'template=probe',
    ];
    for (const run of [
      await fromElsewhere(args('train.yaml')),
      await inProject([...args('bare.yaml'), ...plugins]),
    ]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`tokenizer.chat_template = ${JSON.stringify(PROBE_JINJA)}`);
    }
  }, 120_000);

  it('name every place they looked for a plugin that is not installed', async () => {
    const run = await fromElsewhere(['train', join(project, 'configs/bare.yaml'), ...probePlugin]);
    expect(run.code).toBe(1);
    const looked = [elsewhere, root].map((dir) => join(dir, 'node_modules', PROBE_PLUGIN));
    expect(run.stderr).toMatch(
      `error: plugin '${PROBE_PLUGIN}' (--plugin) not found; looked for ${looked.join(', ')}, `,
    );
    expect(run.stderr).toMatch(/; install it: npm install tunekit-plugin-probe\n$/);
  });

  // every tunekit method is loaded by the CLI; the package hint for a known one is core's unit test
  it('say how to load a PEFT method that no loaded plugin handles', async () => {
    const prefix = join(project, 'prefix-adapter');
    await cp(recorded, prefix, { recursive: true });
    const config = JSON.parse(await readFile(join(prefix, 'adapter_config.json'), 'utf8'));
    const changed = { ...config, peft_type: 'IA3' };
    await writeFile(join(prefix, 'adapter_config.json'), JSON.stringify(changed));
    const run = await fromElsewhere(['eval', '-m', model, '-a', prefix, '-d', data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /adapter_config\.json has peft_type "IA3"; registered methods: LORA, PROMPT_TUNING, PREFIX_TUNING, .*P_TUNING.*; install the plugin package that provides it and load it/,
    );
  });
});
