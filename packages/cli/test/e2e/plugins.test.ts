import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_JINJA, PROBE_PLUGIN, writePluginProject } from './plugin-project.js';
import { runTunekit, type TunekitRun } from './run-tunekit.js';

// Every command loads a plugin installed in a user's project outside this repository, named by
// --plugin (found from the working directory) or under plugins: (a config's, found from the
// config's folder; or the one an adapter's training record keeps, found from the adapter's
// folder, while the working directory is elsewhere). The project's model has a model_type and
// the data a chat template that only the plugin registers, so a command that ignores the plugin
// fails.

const root = await mkdtemp(join(tmpdir(), 'tunekit-cli-plugins-'));
const project = join(root, 'project');
const elsewhere = join(root, 'elsewhere');
const model = join(project, 'model');
const data = join(project, 'data.jsonl');
/** Trained from configs/train.yaml (plugins: [probe]): its training record lists the plugin. */
const recorded = join(project, 'out-recorded');
/** Trained from configs/bare.yaml with --plugin: its record lists none. */
const bare = join(project, 'out-bare');
const plugin = ['--plugin', PROBE_PLUGIN];
let trainedFromConfig: TunekitRun;
let trainedWithFlag: TunekitRun;

/** tunekit in the project (where --plugin finds the plugin) or elsewhere (where it does not). */
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
  const train = (config: string, out: string) => [
    'train',
    join(project, 'configs', config),
    '--set',
    `output_dir=${out}`,
  ];
  trainedFromConfig = await fromElsewhere(train('train.yaml', recorded));
  trainedWithFlag = await inProject([...train('bare.yaml', bare), ...plugin]);
}, 240_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('plugins from a project outside the CLI', () => {
  it('are what the commands need: without one, the model does not load', async () => {
    const run = await inProject(['generate', '-m', model, '-p', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*model_type 'probe_llama' is not supported/);
  });

  it('train: plugins: in the config, found from its folder; and --plugin', async () => {
    expectSuccess(trainedFromConfig);
    expect(trainedFromConfig.stdout).toContain(`model: ${model} (probe_llama)`);
    const record = JSON.parse(await readFile(join(recorded, 'training_record.json'), 'utf8'));
    expect(record.config.plugins).toEqual([PROBE_PLUGIN]);
    expectSuccess(trainedWithFlag);
    expect(trainedWithFlag.stdout).toContain(`adapter: ${bare} (adapter_config.json`);
  });

  it("eval: the adapter's recorded plugins:, and --plugin", async () => {
    const args = ['eval', '-m', model, '-d', data, '--num-samples', '1', '--json'];
    for (const run of [
      await fromElsewhere([...args, '-a', recorded]),
      await inProject([...args, '-a', bare, ...plugin]),
    ]) {
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toHaveProperty('loss');
    }
  }, 120_000);

  it("chat: the adapter's recorded plugins:, and --plugin with the plugin's template", async () => {
    const args = ['chat', '-m', model, '--max-new-tokens', '2'];
    expectSuccess(await fromElsewhere([...args, '-a', recorded], 'hi\n'));
    expectSuccess(await inProject([...args, '--template', 'probe', ...plugin], 'hi\n'));
  }, 120_000);

  it("generate: the model's recorded plugins:, and --plugin", async () => {
    // a model folder tunekit train saved (a full fine-tune) keeps its training record beside it
    const trained = join(project, 'full-finetune');
    await cp(model, trained, { recursive: true });
    const record = { config: { plugins: [PROBE_PLUGIN] } };
    await writeFile(join(trained, 'training_record.json'), JSON.stringify(record));
    const args = ['generate', '-p', 'What is 1 + 1?', '--max-new-tokens', '2', '--json'];
    for (const run of [
      await fromElsewhere([...args, '-m', trained]),
      await inProject([...args, '-m', model, ...plugin]),
    ]) {
      expectSuccess(run);
      expect(JSON.parse(run.stdout).generated_ids.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it("merge: the adapter's recorded plugins:, and --plugin", async () => {
    const fromRecord = await fromElsewhere(['merge', '-m', model, '-a', recorded, '-o', 'a']);
    const fromFlag = await inProject(['merge', '-m', model, '-a', bare, '-o', 'b', ...plugin]);
    for (const run of [fromRecord, fromFlag]) expectSuccess(run);
    const config = JSON.parse(await readFile(join(elsewhere, 'a/config.json'), 'utf8'));
    expect(config.model_type).toBe('probe_llama');
  }, 120_000);

  it("export: the adapter's recorded plugins:, and --plugin", async () => {
    const fromRecord = await fromElsewhere(['export', '-m', model, '-a', recorded, '-o', 'c']);
    const fromFlag = await inProject(['export', '-m', model, '-o', 'd', ...plugin]);
    for (const run of [fromRecord, fromFlag]) {
      expectSuccess(run);
      expect(run.stdout).toContain('wrote onnx/model.onnx');
    }
  }, 120_000);

  it("template render: the plugin's template by the --model folder's recorded plugins:, and --plugin", async () => {
    const args = ['template', 'render', '-t', 'probe', '-d', data, '-n', '1'];
    for (const run of [
      await fromElsewhere([...args, '-m', recorded]),
      await inProject([...args, ...plugin]),
    ]) {
      expectSuccess(run);
      expect(run.stdout).toContain('user> What is 0 + 0?\nassistant> [[0\n]]');
    }
    const listed = await inProject(['template', 'list', ...plugin]);
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
      await inProject([...args('bare.yaml'), ...plugin]),
    ]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`tokenizer.chat_template = ${JSON.stringify(PROBE_JINJA)}`);
    }
  }, 120_000);

  it('name every place they looked for a plugin that is not installed', async () => {
    const run = await fromElsewhere(['train', join(project, 'configs/bare.yaml'), ...plugin]);
    expect(run.code).toBe(1);
    const looked = [elsewhere, root].map((dir) => join(dir, 'node_modules', PROBE_PLUGIN));
    expect(run.stderr).toMatch(
      `error: plugin '${PROBE_PLUGIN}' (--plugin) not found; looked for ${looked.join(', ')}, `,
    );
    expect(run.stderr).toMatch(/; install it: npm install tunekit-plugin-probe\n$/);
  });

  it('name the package of a PEFT method that no loaded plugin handles', async () => {
    const prefix = join(project, 'prefix-adapter');
    await cp(recorded, prefix, { recursive: true });
    const config = JSON.parse(await readFile(join(prefix, 'adapter_config.json'), 'utf8'));
    const changed = { ...config, peft_type: 'PREFIX_TUNING' };
    await writeFile(join(prefix, 'adapter_config.json'), JSON.stringify(changed));
    const run = await fromElsewhere(['eval', '-m', model, '-a', prefix, '-d', data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'adapter_config.json has peft_type "PREFIX_TUNING"; registered methods: LORA; PREFIX_TUNING is in @tunekit/peft-prefix: npm install @tunekit/peft-prefix',
    );
  });
});
