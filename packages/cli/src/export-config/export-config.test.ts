import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@tunekit/core';
import { CHATML_JINJA } from '@tunekit/templates';
import { trainConfigSchema } from '@tunekit/trainer';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pluginListSchema } from '../config/plugin-list.js';
import { loadYamlConfig } from '../config/yaml-config.js';
import { configPlugins, findPlugins, loadPlugins } from '../plugins/index.js';
import { axolotlConfig, axolotlYaml, clusterJob, trlScript } from './index.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(repo, 'examples');
/** The option names of axolotl, TRL and PEFT, with their source and version (see the file). */
const documented = JSON.parse(
  readFileSync(new URL('./documented-options.json', import.meta.url), 'utf8'),
) as {
  axolotl: {
    options: string[];
    dataset_options: { names: string[] };
    user_defined_type_options: { names: string[] };
  };
  trl: { sft_config_options: string[] };
  peft: { lora_config_options: string[] };
};
/** The example jobs: LoRA and full fine-tuning export; the prefix family has no axolotl or TRL export yet. */
const PREFIX_FAMILY = /^\s*method: (prefix_tuning|p_tuning_v2|p_tuning|prompt_tuning)\s*$/m;
const allExamples = readdirSync(examples).filter((name) => name.endsWith('.yaml'));
const isPrefixFamily = (name: string) =>
  PREFIX_FAMILY.test(readFileSync(join(examples, name), 'utf8'));
const isPreference = (name: string) =>
  /^trainer: (dpo|kto)$/m.test(readFileSync(join(examples, name), 'utf8'));
/** The task-head examples (classification, embeddings): the targets export causal-LM SFT only. */
const TASK_HEAD = /^\s*task_type: (SEQ_CLS|FEATURE_EXTRACTION)\s*$/m;
const isTaskHead = (name: string) => TASK_HEAD.test(readFileSync(join(examples, name), 'utf8'));
/** The multi-task examples: temperature mixing, per-task loss weights and task heads have no equivalent. */
const isMultitask = (name: string) =>
  /^mix_temperature: /m.test(readFileSync(join(examples, name), 'utf8'));
/** The examples with a task head beside the LM tasks: refused before their other keys. */
const hasSourceHead = (name: string) =>
  /^\s+head: /m.test(readFileSync(join(examples, name), 'utf8'));
const exampleConfigs = allExamples.filter(
  (name) => !isPrefixFamily(name) && !isPreference(name) && !isTaskHead(name) && !isMultitask(name),
);

describe('export-config of a multi-head example', () => {
  it.each(allExamples.filter(hasSourceHead))(
    '%s is refused in one line naming the source with a head',
    async (name) => {
      for (const target of ['trl', 'axolotl'])
        await expect(job(name, target)).rejects.toThrow(
          new RegExp(
            `^train\\[\\d+\\]\\.head: ${target} trains one causal-LM head; a task head of its own`,
          ),
        );
    },
  );
});

describe('export-config of multi-task mixing', () => {
  // examples/multitask.yaml is refused first for its intent head; its mixing keys, on the quickstart
  it('refuses mix_temperature in one line', async () => {
    const mixed = ['mix_temperature=2'];
    await expect(
      job('quickstart.yaml', 'trl', mixed).then((j) => trlScript(j, 'quickstart.yaml', () => {})),
    ).rejects.toThrow(/^mix_temperature: 2 has no TRL equivalent \(tunekit's temperature mixing/);
    await expect(
      job('quickstart.yaml', 'axolotl', mixed).then((j) => axolotlConfig(j, () => {})),
    ).rejects.toThrow(/^mix_temperature: 2 has no axolotl equivalent/);
  });
});

describe('export-config of a task-head example', () => {
  it.each(allExamples.filter(isTaskHead))(
    '%s is refused in one line naming the task type',
    async (name) => {
      await expect(job(name, 'trl')).rejects.toThrow(
        /^peft\.task_type: (SEQ_CLS|FEATURE_EXTRACTION): trl is written as causal-LM SFT; a classification or embedding job has no equivalent there$/,
      );
    },
  );
});

describe('export-config of a prefix-family example', () => {
  it.each(allExamples.filter(isPrefixFamily))(
    '%s is refused in one line naming the method',
    async (name) => {
      await expect(job(name, 'axolotl').then((j) => axolotlConfig(j, () => {}))).rejects.toThrow(
        /^peft\.method: \w+: the axolotl export writes LoRA settings only; train this method with tunekit$/,
      );
    },
  );
});

describe('export-config of a DPO or KTO example', () => {
  it.each(allExamples.filter(isPreference))('%s is refused in one line', async (name) => {
    await expect(job(name, 'TRL').then((j) => trlScript(j, name, () => {}))).rejects.toThrow(
      /^format (unpaired_)?preference: no TRL SFT dataset type; export SFT data only$/,
    );
    // on SFT data, trainer: dpo itself is what has no equivalent
    await expect(
      job('quickstart.yaml', 'TRL', ['trainer=dpo']).then((j) => trlScript(j, name, () => {})),
    ).rejects.toThrow(
      /^trainer: "dpo" has no TRL equivalent \(the export writes supervised fine-tuning jobs; train DPO and KTO with tunekit\); remove it to export$/,
    );
  });
});

/** The job of an example config, as `tunekit export-config` reads it, written next to the repo root. */
async function job(name: string, target: string, overrides: string[] = []) {
  const file = resolve(examples, name);
  const { plugins } = await loadYamlConfig(file, pluginListSchema, overrides);
  const container = await loadPlugins(findPlugins([configPlugins(file, plugins)]));
  const config = await loadYamlConfig(file, trainConfigSchema(container), overrides);
  return clusterJob(config, { container, configDir: dirname(file), outDir: repo, target });
}

async function axolotl(name: string, overrides: string[] = []) {
  const warnings: string[] = [];
  const exported = await job(name, 'axolotl', overrides);
  const config = axolotlConfig(exported, (w) => warnings.push(w));
  return { config, warnings, text: axolotlYaml(exported, name, () => {}) };
}

async function trl(name: string, overrides: string[] = []) {
  const warnings: string[] = [];
  const script = trlScript(await job(name, 'TRL', overrides), name, (w) => warnings.push(w));
  return { script, warnings };
}

/** The keyword names of the call `name(...)` in a script that writes one keyword per line. */
function keywords(script: string, name: string): string[] {
  const call = script.match(new RegExp(`^\\w+ = ${name}\\(\\n([\\s\\S]*?)\\n\\)`, 'm'));
  if (!call) throw new Error(`no ${name}(...) call`);
  return call[1].split('\n').map((line) => line.trim().split('=')[0]);
}

/** Python's own parser accepts the script (python3 is Debian's, as for the golden scripts). */
function pythonParses(script: string): void {
  execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
    input: script,
  });
}

describe('export-config --to axolotl', () => {
  it.each(exampleConfigs)(
    '%s: every key is an axolotl 0.18 option, and the YAML round-trips',
    async (name) => {
      const { config, text } = await axolotl(name);
      expect(Object.keys(config).filter((k) => !documented.axolotl.options.includes(k))).toEqual(
        [],
      );
      const datasets = [config.datasets, config.test_datasets ?? []].flat() as Record<
        string,
        unknown
      >[];
      expect(datasets.length).toBeGreaterThan(0);
      for (const dataset of datasets) {
        const names = documented.axolotl.dataset_options.names;
        expect(Object.keys(dataset).filter((k) => !names.includes(k))).toEqual([]);
        if (typeof dataset.type === 'object') {
          const typeNames = documented.axolotl.user_defined_type_options.names;
          expect(Object.keys(dataset.type as object).filter((k) => !typeNames.includes(k))).toEqual(
            [],
          );
        }
      }
      // the file as axolotl reads it, with PyYAML (YAML 1.1: a bare `no` is false, `1e-8` a string)
      expect(parse(text, { version: '1.1' })).toEqual(config);
      expect(text).toMatch(/^eval_strategy: "no"$/m);
      expect(text).toMatch(/^adam_epsilon: 1\.0e-8$/m);
    },
  );

  it('carries the model, data, template, LoRA and training arguments of the quickstart', async () => {
    const { config, warnings } = await axolotl('quickstart.yaml');
    expect(config).toMatchObject({
      base_model: 'models/tunekit-tiny-chat',
      chat_template: 'jinja',
      chat_template_jinja: CHATML_JINJA,
      datasets: [
        {
          path: 'examples/quickstart/data/train.jsonl',
          ds_type: 'json',
          type: 'chat_template',
          field_messages: 'messages',
          roles_to_train: ['assistant'],
        },
      ],
      test_datasets: [{ path: 'examples/quickstart/data/eval.jsonl' }],
      adapter: 'lora',
      lora_r: 8,
      lora_alpha: 16,
      lora_dropout: 0,
      lora_target_linear: true,
      output_dir: 'runs/quickstart',
      learning_rate: 3e-3,
      micro_batch_size: 32,
      max_steps: 800,
      lr_scheduler: 'linear',
      warmup_steps: 20,
      sequence_len: 64,
      seed: 42,
      eval_strategy: 'no',
    });
    expect(config).not.toHaveProperty('num_epochs'); // max_steps decides, as in tunekit
    expect(warnings.join('\n')).toMatch(/^eval_on_start: not carried to axolotl/m);
  });

  it('writes Alpaca records under ChatML as a prompt format rendered from the template', async () => {
    const { config } = await axolotl('alpaca-lora.yaml');
    const [dataset] = config.datasets as { type: Record<string, string> }[];
    expect(dataset.type).toMatchObject({
      field_instruction: 'instruction',
      field_input: 'input',
      field_output: 'output',
      format: '<|im_start|>user\n{instruction}\n\n{input}<|im_end|>\n<|im_start|>assistant\n',
      no_input_format: '<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n',
    });
    const alpaca = await axolotl('alpaca-lora.yaml', ['template=alpaca']);
    expect((alpaca.config.datasets as { type: string }[])[0].type).toBe('alpaca');
  });

  it('renders the prompt format through a Jinja template file with generation blocks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-export-config-'));
    const file = join(dir, 'chatml-generation.jinja');
    const source =
      "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|im_end|>{% endgeneration %}{% else %}{{ m['content'] }}<|im_end|>{% endif %}\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    await writeFile(file, source);
    try {
      const { config } = await axolotl('alpaca-lora.yaml', [`template=${file}`]);
      expect(config.chat_template_jinja).toBe(source);
      const [dataset] = config.datasets as { type: Record<string, string> }[];
      expect(dataset.type.no_input_format).toBe(
        // HF renders with trim_blocks: the newline after {% endif %} goes
        '<|im_start|>user\n{instruction}<|im_end|><|im_start|>assistant\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps PEFT variants and refuses what would change the training', async () => {
    const { config } = await axolotl('quickstart.yaml', [
      'peft.use_dora=true',
      'peft.use_rslora=true',
    ]);
    expect(config).toMatchObject({ peft_use_dora: true, peft_use_rslora: true });
    await expect(axolotl('quickstart.yaml', ['label_smoothing_factor=0.1'])).rejects.toThrow(
      /^label_smoothing_factor: 0.1 has no axolotl equivalent/,
    );
    await expect(axolotl('quickstart.yaml', ['rdrop_alpha=0.5'])).rejects.toThrow(UserError);
    await expect(axolotl('quickstart.yaml', ['mixout=0.1'])).rejects.toThrow(/^mixout: 0.1/);
    await expect(axolotl('quickstart.yaml', ['loss_policy=last_assistant'])).rejects.toThrow(
      /^loss_policy: last_assistant/,
    );
    await expect(axolotl('quickstart.yaml', ['peft.exclude_modules=[o_proj]'])).rejects.toThrow(
      /^peft.exclude_modules: \["o_proj"\] has no axolotl equivalent/,
    );
  });
});

describe('export-config --to trl', () => {
  it.each(exampleConfigs)(
    '%s: a Python script whose SFTConfig and LoraConfig keywords are TRL 1.9 / PEFT 0.20 options',
    async (name) => {
      const { script } = await trl(name);
      pythonParses(script);
      const sft = keywords(script, 'SFTConfig');
      expect(sft).toContain('output_dir');
      expect(sft.filter((k) => !documented.trl.sft_config_options.includes(k))).toEqual([]);
      if (script.includes('LoraConfig(')) {
        const lora = keywords(script, 'LoraConfig');
        expect(lora.filter((k) => !documented.peft.lora_config_options.includes(k))).toEqual([]);
      }
    },
  );

  it('carries values: the template, the loss masking, warmup_ratio as steps, the LoRA fields', async () => {
    const { script } = await trl('alpaca-lora.yaml', ['peft.use_rslora=true']);
    expect(script).toContain(`tokenizer.chat_template = ${JSON.stringify(CHATML_JINJA)}`);
    expect(script).toContain('BASE_MODEL = "models/tunekit-tiny-chat"');
    expect(script).toContain('load(["examples/alpaca-lora/data/train.jsonl"])');
    expect(script).toContain('    completion_only_loss=True,'); // Alpaca → prompt/completion
    expect(script).toContain('    warmup_steps=12,'); // warmup_ratio 0.1 of 120 steps, rounded up
    expect(script).toContain('    target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],');
    expect(script).toContain('    use_rslora=True,');
    const persona = await trl('chat-persona.yaml');
    expect(persona.script).toContain('    assistant_only_loss=True,');
    expect(persona.script).toContain('system = "You are Tiny. You answer in one word."');
    expect(persona.warnings.join('\n')).toMatch(/assistant_only_loss needs \{% generation %\}/);
  });

  it('writes label smoothing, and refuses tunekit-only losses', async () => {
    const { script } = await trl('quickstart.yaml', ['label_smoothing_factor=0.1']);
    expect(script).toContain('    label_smoothing_factor=0.1,');
    expect(script).toContain('    eval_on_start=True,');
    // with no eval data, transformers would stop at eval_on_start; tunekit warns and trains
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-export-config-'));
    const noEvalConfig = join(dir, 'no-eval.yaml');
    const example = await readFile(join(examples, 'full-finetune.yaml'), 'utf8');
    await writeFile(
      noEvalConfig,
      example
        .replace(/^eval: .*\n/m, '')
        .replace(/^(model|train): /gm, (key) => `${key}${examples}/`),
    );
    try {
      const noEval = await trl(noEvalConfig);
      expect(noEval.script).toContain('eval_dataset = None');
      expect(noEval.script).not.toContain('eval_on_start');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(trl('alpaca-lora.yaml', ['template=alpaca'])).rejects.toThrow(/^template: alpaca/);
    await expect(trl('quickstart.yaml', ['layerwise_lr_decay=0.9'])).rejects.toThrow(
      /^layerwise_lr_decay: 0.9 has no TRL equivalent/,
    );
  });
});

describe('export-config optim', () => {
  it.each(['adamw_8bit', 'paged_adamw_8bit', 'paged_adamw_32bit'])(
    "carries %s under transformers' name to axolotl's optimizer and TRL's optim",
    async (optim) => {
      const { config } = await axolotl('quickstart.yaml', [`optim=${optim}`]);
      expect(config.optimizer).toBe(optim);
      const { script } = await trl('quickstart.yaml', [`optim=${optim}`]);
      expect(script).toContain(`    optim="${optim}",`);
    },
  );
});

describe('export-config for every SFT record format', () => {
  const records = {
    sharegpt: {
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello' },
      ],
    },
    prompt_completion: { prompt: 'Hi', completion: 'Hello' },
    text: { text: 'Hello there' },
  };

  it.each(Object.entries(records))(
    '%s: both targets write documented keys and valid Python',
    async (format, record) => {
      const dir = await mkdtemp(join(tmpdir(), 'tunekit-export-config-'));
      try {
        await writeFile(join(dir, 'train.jsonl'), `${JSON.stringify(record)}\n`);
        const configFile = join(dir, 'job.yaml');
        await writeFile(
          configFile,
          `model: ${join(repo, 'models/tunekit-tiny-chat')}\ntrain: train.jsonl\ntemplate: chatml\npeft: { method: lora }\n`,
        );
        const { config } = await axolotl(configFile);
        const [dataset] = config.datasets as Record<string, unknown>[];
        expect(dataset.path).toBe(relative(repo, join(dir, 'train.jsonl')));
        const names = documented.axolotl.dataset_options.names;
        expect(Object.keys(dataset).filter((k) => !names.includes(k))).toEqual([]);
        const { script } = await trl(configFile);
        pythonParses(script);
        expect(script).toContain(
          {
            sharegpt: 'assistant_only_loss=True',
            prompt_completion: 'completion_only_loss=True',
            text: 'dataset_text_field="text"',
          }[format],
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
